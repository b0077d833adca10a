/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half
 * random, so retries after a shared outage spread out but never come early.
 * Whole milliseconds: the result is stored in INTEGER columns.
 */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
