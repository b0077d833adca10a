/**
 * The one reading of a "come back later" value, in ms from now: Retry-After
 * (RFC 9110: delta-seconds or an HTTP date), or a seconds number a JSON body
 * repeats it as (Notion's `additional_data.retry_after`). Undefined when
 * absent or unreadable; never negative.
 */
export function parseRetryAfterMs(value: unknown, nowMs: number = Date.now()): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? Math.max(0, value * 1000) : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
