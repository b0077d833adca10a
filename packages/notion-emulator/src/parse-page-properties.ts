import { bodyValidationError, validationError } from "./notion-api-error.js";
import {
  isRecord,
  type PropertyConfigResponse,
  type PropertyValue,
  type SelectOptionResponse,
} from "./notion-types.js";
import { parsePropertyValue, type ValueContext } from "./parse-property-value.js";

export type ParsedPageProperties = {
  /** Values keyed by property id. */
  values: Map<string, PropertyValue>;
  /** Select options to add to the schema, keyed by property id. */
  newOptions: Map<string, SelectOptionResponse[]>;
};

/** Resolves a property by name first, then by id, as Notion does for page writes, filters and sorts. */
export function findProperty(
  properties: ReadonlyArray<PropertyConfigResponse>,
  key: string,
): PropertyConfigResponse | undefined {
  return properties.find((p) => p.name === key) ?? properties.find((p) => p.id === key || p.id === decodeSafely(key));
}

function decodeSafely(key: string): string {
  try {
    return encodeURIComponent(decodeURIComponent(key));
  } catch {
    return key;
  }
}

/** Validates every value of a create or update body before anything is written. */
export function parsePageProperties(
  properties: ReadonlyArray<PropertyConfigResponse>,
  raw: unknown,
  ctx: ValueContext,
): ParsedPageProperties {
  const parsed: ParsedPageProperties = { values: new Map(), newOptions: new Map() };
  if (raw === undefined) return parsed;
  if (!isRecord(raw)) throw bodyValidationError("body.properties should be an object.");
  for (const [key, value] of Object.entries(raw)) {
    const prop = findProperty(properties, key);
    if (prop === undefined) throw validationError(`${key} is not a property that exists.`);
    const result = parsePropertyValue(prop, value, ctx);
    parsed.values.set(prop.id, result.value);
    if (result.newOptions.length > 0) parsed.newOptions.set(prop.id, result.newOptions);
  }
  return parsed;
}
