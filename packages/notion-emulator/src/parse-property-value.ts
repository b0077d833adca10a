import {
  MAX_EMAIL_CHARS,
  MAX_MULTI_SELECT_ITEMS,
  MAX_PEOPLE_ITEMS,
  MAX_PHONE_NUMBER_CHARS,
  MAX_RELATION_ITEMS,
  MAX_URL_CHARS,
} from "./emulator-limits.js";
import { bodyValidationError, validationError } from "./notion-api-error.js";
import { parseNotionId } from "./emulator-ids.js";
import {
  isRecord,
  type PropertyConfigResponse,
  type PropertyValue,
  type SelectOptionResponse,
  type UserValue,
} from "./notion-types.js";
import { parseDateValue, parseSelectRef } from "./property-value-parts.js";
import { parseRichTextArray } from "./rich-text.js";

export type ValueContext = {
  /** True when a live page with this id is a row of that data source. */
  pageExists(dataSourceId: string, pageId: string): boolean;
  /** The full user object when the workspace knows the id. */
  findUser(id: string): UserValue | undefined;
  /** Keep date-times to the minute, as Notion's editor shows them (`HH:MM`). */
  dateTimesToTheMinute?: boolean;
};

export type ParsedValue = {
  value: PropertyValue;
  /** Options a select or multi_select value names that the schema lacks; Notion adds them. */
  newOptions: SelectOptionResponse[];
};

/**
 * Validates one page property value against its schema entry. Throws the
 * NotionApiError Notion would answer; never touches the store.
 */
export function parsePropertyValue(prop: PropertyConfigResponse, raw: unknown, ctx: ValueContext): ParsedValue {
  const name = prop.name;
  const path = `body.properties.${name}`;
  const expected = () => validationError(`${name} is expected to be ${prop.type}.`);
  if (!isRecord(raw)) throw expected();
  if (raw["type"] !== undefined && raw["type"] !== prop.type) throw expected();
  if (!(prop.type in raw)) throw expected();
  const input = raw[prop.type];
  const done = (value: PropertyValue, newOptions: SelectOptionResponse[] = []): ParsedValue => ({ value, newOptions });
  switch (prop.type) {
    case "title":
      return done({ type: "title", title: parseRichTextArray(input, `${path}.title`) });
    case "rich_text":
      return done({ type: "rich_text", rich_text: parseRichTextArray(input, `${path}.rich_text`) });
    case "email":
      return done({ type: "email", email: parseString(input, `${path}.email`, MAX_EMAIL_CHARS, expected) });
    case "url":
      return done({ type: "url", url: parseString(input, `${path}.url`, MAX_URL_CHARS, expected) });
    case "phone_number":
      return done({
        type: "phone_number",
        phone_number: parseString(input, `${path}.phone_number`, MAX_PHONE_NUMBER_CHARS, expected),
      });
    case "number":
      if (input !== null && (typeof input !== "number" || !Number.isFinite(input))) throw expected();
      return done({ type: "number", number: input });
    case "checkbox":
      if (typeof input !== "boolean") throw expected();
      return done({ type: "checkbox", checkbox: input });
    case "date": {
      const date = parseDateValue(input, `${path}.date`, expected);
      return done({ type: "date", date: ctx.dateTimesToTheMinute === true ? toTheMinute(date) : date });
    }
    case "select": {
      if (input === null) return done({ type: "select", select: null });
      const ref = parseSelectRef(input, prop.select.options, `${path}.select`, expected, []);
      return done({ type: "select", select: ref.value }, ref.created ? [ref.option] : []);
    }
    case "status": {
      if (input === null) return done({ type: "status", status: null });
      const ref = parseSelectRef(input, prop.status.options, `${path}.status`, expected, undefined);
      return done({ type: "status", status: ref.value });
    }
    case "multi_select": {
      const items = parseArray(input, `${path}.multi_select`, MAX_MULTI_SELECT_ITEMS, expected);
      const created: SelectOptionResponse[] = [];
      const values = items.map((item, i) => {
        const ref = parseSelectRef(item, prop.multi_select.options, `${path}.multi_select[${i}]`, expected, created);
        if (ref.created) created.push(ref.option);
        return ref.value;
      });
      return done({ type: "multi_select", multi_select: dedupeById(values) }, created);
    }
    case "people": {
      const items = parseArray(input, `${path}.people`, MAX_PEOPLE_ITEMS, expected);
      const people = items.map((item, i) => {
        const id = parseItemId(item, `${path}.people[${i}]`);
        return ctx.findUser(id) ?? { object: "user" as const, id };
      });
      return done({ type: "people", people: dedupeById(people) });
    }
    case "relation": {
      const items = parseArray(input, `${path}.relation`, MAX_RELATION_ITEMS, expected);
      const relation = items.map((item, i) => {
        const id = parseItemId(item, `${path}.relation[${i}]`);
        if (!ctx.pageExists(prop.relation.data_source_id, id)) {
          throw validationError(
            `${name} relation contains page ${id}, which is not a page of the related data source ${prop.relation.data_source_id}.`,
          );
        }
        return { id };
      });
      return done({ type: "relation", relation: dedupeById(relation) });
    }
    default:
      throw validationError(`${name} is a ${prop.type} property, which the Notion emulator cannot write.`);
  }
}

function parseString(input: unknown, path: string, max: number, expected: () => Error): string | null {
  if (input === null) return null;
  if (typeof input !== "string") throw expected();
  if (input.length > max)
    throw bodyValidationError(`${path}.length should be ≤ \`${max}\`, instead was \`${input.length}\`.`);
  return input;
}

function parseArray(input: unknown, path: string, max: number, expected: () => Error): unknown[] {
  if (!Array.isArray(input)) throw expected();
  if (input.length > max)
    throw bodyValidationError(`${path}.length should be ≤ \`${max}\`, instead was \`${input.length}\`.`);
  return input;
}

function parseItemId(item: unknown, path: string): string {
  const raw = isRecord(item) ? item["id"] : undefined;
  const id = typeof raw === "string" ? parseNotionId(raw) : undefined;
  if (id === undefined) {
    throw bodyValidationError(`${path}.id should be a valid uuid, instead was \`${JSON.stringify(raw)}\`.`);
  }
  return id;
}

function dedupeById<T extends { id: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.id) && seen.add(item.id) !== undefined);
}

type DateValueOrNull = ReturnType<typeof parseDateValue>;

function toTheMinute(date: DateValueOrNull): DateValueOrNull {
  if (date === null) return null;
  const cut = (text: string) => text.replace(/T(\d{2}):(\d{2}):\d{2}\.\d{3}/, "T$1:$2:00.000");
  return { ...date, start: cut(date.start), end: date.end === null ? null : cut(date.end) };
}
