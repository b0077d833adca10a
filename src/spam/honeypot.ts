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

/** The honeypot of a /lead body: a top-level key of that name. Unparseable bodies never get here (they are 400s). */
export function honeypotFilledIn(body: Buffer, field: string): boolean {
  try {
    const json: unknown = JSON.parse(body.toString("utf8"));
    return (
      json !== null &&
      typeof json === "object" &&
      Object.hasOwn(json, field) &&
      isFilled((json as Record<string, unknown>)[field])
    );
  } catch {
    return false;
  }
}
