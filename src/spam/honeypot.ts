/** The /form honeypot when HONEYPOT_FIELD is not set (Formspree's name for it). */
export const DEFAULT_FORM_HONEYPOT_FIELD = "_gotcha";

/** A submitted field as each route has it: a /lead key, a form field, one of a form service answer's names. */
export type NamedValue = readonly [name: string, value: unknown];

/**
 * The one honeypot rule of every route: a field named exactly `field` (no
 * label folding: `gotcha` is not `_gotcha`, `Website` is not `website`)
 * holding anything at all. Unset `field`: nothing is a honeypot.
 */
export function honeypotFilled(fields: Iterable<NamedValue>, field: string | undefined): boolean {
  if (field === undefined) return false;
  for (const [name, value] of fields) if (name === field && isFilled(value)) return true;
  return false;
}

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
