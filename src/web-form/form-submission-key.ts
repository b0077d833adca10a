import { createHash } from "node:crypto";
import type { FormField } from "./form-body.js";
import { TURNSTILE_TOKEN_FIELD } from "./turnstile-verifier.js";

/** A double click or a reload that re-posts within this time is the same submission. */
export const DOUBLE_SUBMIT_WINDOW_MS = 10 * 60_000;

/**
 * The idempotency key of a browser submission: a hash of its origin and
 * fields (the Turnstile token left out: a re-post may carry the same spent
 * token or a fresh one), per 10-minute bucket. A submission is a repeat of
 * one stored under this bucket's key or, within 10 minutes, the previous
 * bucket's, so the window slides instead of resetting on the bucket edge.
 */
export function formSubmissionKey(
  origin: string,
  fields: readonly FormField[],
  nowMs: number,
  storedAtMs: (key: string) => number | undefined,
): string {
  const entries = fields
    .filter((field) => field.name !== TURNSTILE_TOKEN_FIELD)
    .map((field) => [field.name, field.value])
    .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0));
  const hash = createHash("sha256")
    .update(JSON.stringify([origin, entries]))
    .digest("base64url");
  const bucket = Math.floor(nowMs / DOUBLE_SUBMIT_WINDOW_MS);
  const current = `form:${hash}:${bucket}`;
  const previous = `form:${hash}:${bucket - 1}`;
  const previousAt = storedAtMs(previous);
  return previousAt !== undefined && storedAtMs(current) === undefined && nowMs - previousAt < DOUBLE_SUBMIT_WINDOW_MS
    ? previous
    : current;
}
