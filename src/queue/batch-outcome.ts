import { isLocalStoreError } from "../store/local-store-error.js";
import { backoffDelayMs } from "../util/backoff.js";

/** What became of one batch of queued work; the worker writes it to its store. */
export type BatchOutcome =
  | { kind: "done" }
  | { kind: "retry"; afterMs: number; reason: string; cause?: unknown }
  /** Not a failure to back off from: try again at a slow, fixed time. */
  | { kind: "hold"; untilMs: number; reason: string; cause?: unknown }
  | { kind: "dead"; reason: string; cause?: unknown };

export const DONE: BatchOutcome = { kind: "done" };

export type AttemptFailure = {
  /** False when trying again cannot succeed: the batch is dead-lettered. */
  retryable: boolean;
  reason: string;
  /** The other side said when to come back (Retry-After); it wins over the backoff. */
  retryAfterMs?: number | undefined;
  /** The error, kept for the log line. */
  cause?: unknown;
};

export type RetryPolicy = { baseMs: number; maxMs: number };

/** The one retry-or-dead-letter decision every worker makes after a failed attempt (1 = the first). */
export function retryOrBury(failure: AttemptFailure, attempt: number, policy: RetryPolicy): BatchOutcome {
  const cause = failure.cause === undefined ? {} : { cause: failure.cause };
  if (!failure.retryable) return { kind: "dead", reason: failure.reason, ...cause };
  const afterMs = Math.ceil(failure.retryAfterMs ?? 0) || backoffDelayMs(attempt, policy.baseMs, policy.maxMs);
  return { kind: "retry", afterMs, reason: failure.reason, ...cause };
}

/**
 * A batch's work threw: retry every failure of the local state file (locked,
 * disk full) and what the caller's `isRetryable` says may succeed later (the
 * caller knows its vendor's errors; this module knows none), bury the rest
 * (bugs included).
 */
export function retryOrBuryError(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  isRetryable: (error: unknown) => boolean,
): BatchOutcome {
  const retryable = isLocalStoreError(error) || isRetryable(error);
  const reason = error instanceof Error ? error.message : String(error);
  return retryOrBury({ retryable, reason, cause: error }, attempt, policy);
}

/** When a retried or held batch is due again. */
export function dueAgainAtMs(outcome: BatchOutcome & { kind: "retry" | "hold" }, nowMs: number): number {
  return outcome.kind === "retry" ? nowMs + outcome.afterMs : outcome.untilMs;
}
