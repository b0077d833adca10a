import { parseIsoDate, roundToMinute } from "./date-value.js";
import { MAX_FILTER_DEPTH } from "./emulator-limits.js";
import { bodyValidationError, validationError } from "./notion-api-error.js";
import {
  emptyValue,
  isRecord,
  isValuePropertyType,
  type PropertyConfigResponse,
  type PropertyValue,
} from "./notion-types.js";
import { compileCondition, type Comparable, type ConditionKind } from "./filter-conditions.js";
import { findProperty } from "./parse-page-properties.js";
import { plainTextOf } from "./rich-text.js";
import type { StoredRow } from "./store-types.js";

export type RowPredicate = (row: StoredRow) => boolean;
export type FilterContext = { properties: ReadonlyArray<PropertyConfigResponse>; nowMs: number; botUserId: string };

const KIND_OF: Record<string, ConditionKind> = {
  title: "text",
  rich_text: "text",
  email: "text",
  url: "text",
  phone_number: "text",
  number: "number",
  checkbox: "checkbox",
  select: "select",
  status: "select",
  multi_select: "multi_select",
  date: "date",
  people: "ids",
  relation: "ids",
};

/** Compiles a data source query filter, validating it against the schema as Notion does. */
export function compileFilter(raw: unknown, ctx: FilterContext): RowPredicate {
  if (raw === undefined || raw === null) return () => true;
  return compileNode(raw, "body.filter", 0, ctx);
}

function compileNode(raw: unknown, path: string, depth: number, ctx: FilterContext): RowPredicate {
  if (!isRecord(raw)) throw bodyValidationError(`${path} should be an object.`);
  for (const op of ["and", "or"] as const) {
    const list = raw[op];
    if (list === undefined) continue;
    if (depth >= MAX_FILTER_DEPTH) {
      throw bodyValidationError(
        `${path}.${op} should be not present; compound filters nest at most ${MAX_FILTER_DEPTH} levels.`,
      );
    }
    if (!Array.isArray(list)) throw bodyValidationError(`${path}.${op} should be an array.`);
    const parts = list.map((item, i) => compileNode(item, `${path}.${op}[${i}]`, depth + 1, ctx));
    return op === "and" ? (row) => parts.every((p) => p(row)) : (row) => parts.some((p) => p(row));
  }
  if (raw["timestamp"] !== undefined) return compileTimestamp(raw, path, ctx);
  return compileProperty(raw, path, ctx);
}

function compileTimestamp(raw: Record<string, unknown>, path: string, ctx: FilterContext): RowPredicate {
  const timestamp = raw["timestamp"];
  if (timestamp !== "created_time" && timestamp !== "last_edited_time") {
    throw bodyValidationError(`${path}.timestamp should be "created_time" or "last_edited_time".`);
  }
  const condition = compileCondition("date", raw[timestamp], `${path}.${timestamp}`, ctx.nowMs);
  // Compared at minute precision: the only precision Notion shows for these times.
  return (row) => condition(roundToMinute(timestamp === "created_time" ? row.createdMs : row.editedMs));
}

function compileProperty(raw: Record<string, unknown>, path: string, ctx: FilterContext): RowPredicate {
  const key = raw["property"];
  if (typeof key !== "string") throw bodyValidationError(`${path}.property should be a string.`);
  const prop = findProperty(ctx.properties, key);
  if (prop === undefined) throw validationError(`Could not find property with name or id: ${key}`);
  const typeKeys = Object.keys(raw).filter((k) => k !== "property" && k !== "type");
  const filterType = typeof raw["type"] === "string" ? raw["type"] : typeKeys[0];
  if (filterType === undefined || typeKeys.length !== 1 || typeKeys[0] !== filterType) {
    throw bodyValidationError(`${path} should name exactly one property type condition for property "${prop.name}".`);
  }
  if (filterType !== prop.type) {
    throw validationError(
      `Filter on property "${prop.name}": database property ${prop.type} does not match filter ${filterType}.`,
    );
  }
  const kind = KIND_OF[prop.type];
  if (kind === undefined || !isValuePropertyType(prop.type)) {
    throw validationError(`The Notion emulator cannot filter on ${prop.type} property "${prop.name}".`);
  }
  const condition = compileCondition(kind, withMe(raw[filterType], prop.type, ctx), `${path}.${filterType}`, ctx.nowMs);
  const type = prop.type;
  const id = prop.id;
  return (row) => {
    const stored = row.values.get(id);
    return condition(comparable(stored?.type === type ? stored : emptyValue(type)));
  };
}

// People filters take "me": the integration's own bot user.
function withMe(condition: unknown, type: string, ctx: FilterContext): unknown {
  if (type !== "people" || !isRecord(condition)) return condition;
  return Object.fromEntries(Object.entries(condition).map(([op, v]) => [op, v === "me" ? ctx.botUserId : v]));
}

/** The value a condition sees: plain text, a number, option names, an instant or ids. */
export function comparable(value: PropertyValue): Comparable {
  switch (value.type) {
    case "title":
      return plainTextOf(value.title);
    case "rich_text":
      return plainTextOf(value.rich_text);
    case "email":
      return value.email;
    case "url":
      return value.url;
    case "phone_number":
      return value.phone_number;
    case "number":
      return value.number;
    case "checkbox":
      return value.checkbox;
    case "select":
      return value.select?.name ?? null;
    case "status":
      return value.status?.name ?? null;
    case "multi_select":
      return value.multi_select.map((o) => o.name);
    case "date":
      return value.date === null ? null : (parseIsoDate(value.date.start)?.instantMs ?? null);
    case "people":
      return value.people.map((p) => p.id);
    case "relation":
      return value.relation.map((r) => r.id);
  }
}
