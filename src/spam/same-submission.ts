import { createHash } from "node:crypto";

/**
 * A repeat of one submission within this time (a double click, a reload that
 * re-posts, a sender retrying a signed body) is that submission, stored once.
 */
export const SAME_SUBMISSION_WINDOW_MS = 10 * 60_000;

/**
 * The keys one submission can be stored under: this window's and, for a
 * first post made in the previous window, that one's. Counting the previous
 * key only while its row is younger than the window makes "within 10
 * minutes" exact instead of resetting on a window edge.
 */
export type SameSubmissionKeys = { key: string; previousKey: string };

/** `<prefix>:<hash of what makes two posts the same>:<window number>`. */
export function sameSubmissionKeys(prefix: string, sameness: string | Buffer, nowMs: number): SameSubmissionKeys {
  const hash = createHash("sha256").update(sameness).digest("hex").slice(0, 40);
  const window = Math.floor(nowMs / SAME_SUBMISSION_WINDOW_MS);
  return { key: `${prefix}:${hash}:${window}`, previousKey: `${prefix}:${hash}:${window - 1}` };
}

/** The stored submission a post repeats, if any: under this window's key, or the previous one's while it is recent. */
export function findSameSubmission<T extends { receivedAtMs: number }>(
  keys: SameSubmissionKeys,
  nowMs: number,
  find: (key: string) => T | undefined,
): T | undefined {
  const same = find(keys.key);
  if (same !== undefined) return same;
  const before = find(keys.previousKey);
  return before !== undefined && nowMs - before.receivedAtMs < SAME_SUBMISSION_WINDOW_MS ? before : undefined;
}
