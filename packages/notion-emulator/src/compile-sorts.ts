import { bodyValidationError, validationError } from "./notion-api-error.js";
import { comparable } from "./compile-filter.js";
import { emptyValue, isRecord, isValuePropertyType, type PropertyConfigResponse } from "./notion-types.js";
import { findProperty } from "./parse-page-properties.js";
import { roundToMinute } from "./date-value.js";
import type { StoredRow } from "./store-types.js";

export type RowComparator = (a: StoredRow, b: StoredRow) => number;
type SortKey = (row: StoredRow) => string | number | null;

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/**
 * Compiles `sorts` into one comparator. Empty values sort last in both
 * directions, and equal rows keep their creation order, so paging is stable.
 */
export function compileSorts(raw: unknown, properties: ReadonlyArray<PropertyConfigResponse>): RowComparator {
  const sorts = raw ?? [];
  if (!Array.isArray(sorts)) throw bodyValidationError("body.sorts should be an array.");
  const keys = sorts.map((sort, i) => compileSort(sort, `body.sorts[${i}]`, properties));
  return (a, b) => {
    for (const { key, sign } of keys) {
      const order = compareKeys(key(a), key(b), sign);
      if (order !== 0) return order;
    }
    return a.seq - b.seq;
  };
}

function compareKeys(x: string | number | null, y: string | number | null, sign: number): number {
  if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
  if (typeof x === "number" && typeof y === "number") return sign * (x - y);
  return sign * collator.compare(String(x), String(y));
}

function compileSort(raw: unknown, path: string, properties: ReadonlyArray<PropertyConfigResponse>) {
  if (!isRecord(raw)) throw bodyValidationError(`${path} should be an object.`);
  const direction = raw["direction"];
  if (direction !== "ascending" && direction !== "descending") {
    throw bodyValidationError(
      `${path}.direction should be "ascending" or "descending", instead was \`${JSON.stringify(direction)}\`.`,
    );
  }
  const sign = direction === "ascending" ? 1 : -1;
  const timestamp = raw["timestamp"];
  if (timestamp !== undefined) {
    if (timestamp !== "created_time" && timestamp !== "last_edited_time") {
      throw bodyValidationError(`${path}.timestamp should be "created_time" or "last_edited_time".`);
    }
    const key: SortKey = (row) => roundToMinute(timestamp === "created_time" ? row.createdMs : row.editedMs);
    return { key, sign };
  }
  const name = raw["property"];
  if (typeof name !== "string") throw bodyValidationError(`${path}.property should be a string.`);
  const prop = findProperty(properties, name);
  if (prop === undefined) throw validationError(`Could not find sort property with name or id: ${name}`);
  return { key: sortKey(prop), sign };
}

function sortKey(prop: PropertyConfigResponse): SortKey {
  const type = prop.type;
  if (!isValuePropertyType(type))
    throw validationError(`The Notion emulator cannot sort by ${type} property "${prop.name}".`);
  // Notion orders select-like values by the option order in the schema, not by name.
  const options =
    prop.type === "select"
      ? prop.select.options
      : prop.type === "status"
        ? prop.status.options
        : prop.type === "multi_select"
          ? prop.multi_select.options
          : undefined;
  return (row) => {
    const stored = row.values.get(prop.id);
    const value = comparable(stored?.type === type ? stored : emptyValue(type));
    if (value === null || value === "") return null;
    if (typeof value === "boolean") return value ? 1 : 0;
    if (Array.isArray(value)) {
      const first = value[0];
      if (first === undefined) return null;
      return options ? options.findIndex((o) => o.name === first) : first;
    }
    if (options !== undefined && typeof value === "string") return options.findIndex((o) => o.name === value);
    return value;
  };
}
