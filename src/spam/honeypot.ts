/**
 * Whether a honeypot field holds anything. The field is hidden from people,
 * so any value at all (text, a ticked box, a number) was put there by a bot.
 */
export function isFilled(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.some(isFilled);
  if (typeof value === "object") return Object.values(value).some(isFilled);
  return true;
}

/** The honeypot of a /lead body: a top-level key of that name, read from the body already parsed. */
export function honeypotFilledIn(json: Record<string, unknown>, field: string): boolean {
  return Object.hasOwn(json, field) && isFilled(json[field]);
}
