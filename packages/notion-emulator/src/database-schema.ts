import { bodyValidationError, validationError } from "./notion-api-error.js";
import { isRecord, type PropertyConfigResponse, type SelectOptionResponse } from "./notion-types.js";
import { newPropertyId, parsePropertyConfig, type SchemaContext } from "./property-schema.js";

type FindDataSource = SchemaContext["findDataSource"];

/** The schema of a new data source; exactly one title property, as Notion requires. */
export function buildInitialSchema(raw: unknown, findDataSource: FindDataSource): PropertyConfigResponse[] {
  if (raw === undefined) raw = { Name: { title: {} } };
  if (!isRecord(raw)) throw bodyValidationError("body.initial_data_source.properties should be an object.");
  const properties: PropertyConfigResponse[] = [];
  for (const [name, config] of Object.entries(raw)) {
    checkPropertyName(name);
    const usedIds = new Set(properties.map((p) => p.id));
    properties.push(parsePropertyConfig(name, config, { findDataSource, usedIds }));
  }
  const titles = properties.filter((p) => p.type === "title").length;
  if (titles !== 1) {
    throw validationError(`A data source needs exactly one title property; the request defines ${titles}.`);
  }
  return properties;
}

/**
 * Applies a PATCH /v1/data_sources `properties` map (or an admin change) to a
 * schema and answers the new schema; the caller swaps it in only on success.
 * `null` deletes, `{name}` renames, a type config adds or replaces.
 */
export function applySchemaChanges(
  current: ReadonlyArray<PropertyConfigResponse>,
  changes: Record<string, unknown>,
  findDataSource: FindDataSource,
  opts: { allowMissingTitle?: boolean } = {},
): PropertyConfigResponse[] {
  let next = [...current];
  for (const [key, change] of Object.entries(changes)) {
    const existing = next.find((p) => p.name === key) ?? next.find((p) => p.id === key);
    if (change === null) {
      if (existing === undefined) throw validationError(`${key} is not a property that exists.`);
      next = next.filter((p) => p !== existing);
      continue;
    }
    if (!isRecord(change)) throw bodyValidationError(`body.properties.${key} should be an object or null.`);
    const rename = change["name"];
    if (rename !== undefined && typeof rename !== "string")
      throw bodyValidationError(`body.properties.${key}.name should be a string.`);
    const name = rename ?? existing?.name ?? key;
    checkPropertyName(name);
    if (next.some((p) => p.name === name && p !== existing))
      throw validationError(`A property named ${name} already exists.`);
    const onlyRename = Object.keys(change).every((k) => k === "name" || k === "description");
    let updated: PropertyConfigResponse;
    if (existing !== undefined && onlyRename) {
      updated = { ...existing, name };
    } else {
      const usedIds = new Set(next.map((p) => p.id));
      updated = parsePropertyConfig(name, change, { findDataSource, usedIds }, existing?.id);
      if (existing !== undefined) updated = keepOptionIds(existing, updated);
    }
    next = existing === undefined ? [...next, updated] : next.map((p) => (p === existing ? updated : p));
  }
  const titles = next.filter((p) => p.type === "title").length;
  if (titles > 1 || (titles === 0 && opts.allowMissingTitle !== true)) {
    throw validationError("A data source needs exactly one title property.");
  }
  return next;
}

// Editing a select's options keeps the ids of the ones that stay, so stored values still match.
function keepOptionIds(before: PropertyConfigResponse, after: PropertyConfigResponse): PropertyConfigResponse {
  const reuse = (old: SelectOptionResponse[], fresh: SelectOptionResponse[]) =>
    fresh.map((o) => ({ ...o, id: old.find((p) => p.name === o.name)?.id ?? o.id }));
  if (before.type === "select" && after.type === "select") {
    return { ...after, select: { options: reuse(before.select.options, after.select.options) } };
  }
  if (before.type === "multi_select" && after.type === "multi_select") {
    return { ...after, multi_select: { options: reuse(before.multi_select.options, after.multi_select.options) } };
  }
  return after;
}

/** A unique name for the property Notion adds on the far side of a two-way relation. */
export function syncedPropertyName(wanted: string, taken: ReadonlyArray<PropertyConfigResponse>): string {
  let name = wanted;
  for (let n = 2; taken.some((p) => p.name === name); n++) name = `${wanted} ${n}`;
  return name;
}

export function freshPropertyId(taken: ReadonlyArray<PropertyConfigResponse>): string {
  return newPropertyId(new Set(taken.map((p) => p.id)));
}

function checkPropertyName(name: string): void {
  if (name.trim() === "") throw validationError("Property names cannot be empty.");
}
