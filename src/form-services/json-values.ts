/** Small readers for untyped JSON: each returns undefined for anything unexpected instead of throwing. */

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * An answer as text: strings trimmed, numbers as written, a ticked box as
 * "yes", lists joined with ", ". An unticked box, null and objects (file
 * uploads, payments) are no answer.
 */
export function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim() === "" ? undefined : value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (value === true) return "yes";
  if (Array.isArray(value)) {
    const items = value.map(asText).filter((item): item is string => item !== undefined);
    return items.length > 0 ? items.join(", ") : undefined;
  }
  return undefined;
}

/** A body's own keys as answers known by that key, for services that post `{ "<field name>": value }`. */
export function flatAnswers(fields: Record<string, unknown>, skip: (key: string) => boolean = () => false) {
  return Object.entries(fields)
    .filter(([key]) => !skip(key))
    .map(([key, value]) => ({ names: [key], value: asText(value) }));
}
