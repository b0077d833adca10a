import type { Logger } from "../log/create-logger.js";
import { findSameSubmission, type SameSubmissionKeys } from "../spam/same-submission.js";
import type { SenderLimits } from "../spam/sender-limits.js";
import type { QueuedLead } from "./lead.js";
import type { LeadQueue, Submission } from "./lead-queue.js";
import type { LeadWorker } from "./lead-worker.js";
import type { FieldProblem } from "./parse-json-object.js";

/** How long a sender waits for the Notion write before being told "queued". */
export const LEAD_RESPONSE_WAIT_MS = 4_000;

/** What became of a submitted lead; each route turns it into its own answer. */
export type LeadOutcome =
  | { kind: "invalid"; error: string; details: FieldProblem[] }
  | { kind: "limited"; limitedBy: "ip" | "email"; retryAfterSeconds: number }
  /** The route's own check (a captcha) said no; nothing stored. */
  | { kind: "refused"; reason: string }
  /** Stored, never sent to Notion; `id` is the submission's. */
  | { kind: "spam"; id: string }
  /** Written to Notion; `id` is the contact's page. */
  | { kind: "created" | "updated"; id: string }
  /** Stored and waiting for Notion; `id` is the submission's. */
  | { kind: "queued"; id: string };

/** The spam checks, passed in so each route chooses its own. */
export type LeadScreening = {
  /** Per-sender hourly limits; none for /lead, whose only sender is the site's own backend. */
  limits?: Pick<SenderLimits, "take"> | undefined;
  /** Why a lead looks like spam; such a lead still goes to Notion, flagged. */
  suspicionsOf?: ((lead: QueuedLead) => string[]) | undefined;
};

export type SubmitLeadDependencies = LeadScreening & {
  queue: LeadQueue;
  worker: LeadWorker;
  /**
   * How long to wait for the Notion write before answering "queued"; 0
   * answers as soon as the lead is stored.
   * @default LEAD_RESPONSE_WAIT_MS
   */
  responseWaitMs?: number;
  now?: () => number;
  /** Where the lead waits among others: signed ones before unsigned /form posts. @default SIGNED_PRIORITY */
  priority?: number;
};

export type LeadSubmission = {
  /** The lead as the route validated it, or what is wrong with it. */
  lead: { ok: true; lead: QueuedLead } | { ok: false; error: string; details: FieldProblem[] };
  idempotencyKey?: string | undefined;
  /**
   * For a submission with no delivery id of its own: its keys under the one
   * same-submission window (its `key` is `idempotencyKey`); a repeat within
   * 10 minutes is answered like the first.
   */
  sameSubmission?: SameSubmissionKeys | undefined;
  /** Whether the route found its honeypot field filled in. */
  honeypotFilled: boolean;
  ip?: string | undefined;
  /**
   * Asked only for a new submission within the sender limits whose honeypot
   * is empty: a repeat, a sender over its limit and a bot are never sent to
   * the outside check.
   */
  verify?: (() => Promise<SubmissionCheck>) | undefined;
  log: Logger;
};

/**
 * A route's own check of a new submission (a captcha): passed, refused, or
 * not answerable now, which lets the lead in carrying `flag` on its activity.
 */
export type SubmissionCheck =
  { kind: "passed" } | { kind: "refused"; reason: string } | { kind: "unverified"; flag: string };

export type SubmitLead = (submission: LeadSubmission) => Promise<LeadOutcome>;

/**
 * The story of a lead, in the order that keeps each promise: an invalid
 * lead is refused; a redelivery is answered like the first and is not
 * counted; a sender over its hourly limit is refused before anything is
 * stored; a filled honeypot is stored as spam and never sent to Notion; the
 * route's own check (a captcha) is asked only then; a lead that only looks suspicious is flagged and goes to Notion all the
 * same. Everything accepted is stored durably first (so a 2xx is a
 * promise), handed to the worker, and answered with the Notion page if it
 * is written within a few seconds.
 */
export async function submitLead(deps: SubmitLeadDependencies, submission: LeadSubmission): Promise<LeadOutcome> {
  const { idempotencyKey, honeypotFilled, ip, log } = submission;
  if (!submission.lead.ok) return { kind: "invalid", error: submission.lead.error, details: submission.lead.details };
  const lead = submission.lead.lead;

  const now = deps.now ?? Date.now;
  const earlier = earlierDelivery(deps.queue, submission, now());
  if (earlier !== undefined) {
    log.info({ submissionId: earlier.id }, "lead redelivered: answered like the first delivery");
    return outcomeOf(earlier);
  }

  const check = deps.limits?.take({ ip, email: lead.email }) ?? { ok: true };
  if (!check.ok) {
    log.warn(
      { limitedBy: check.limitedBy, retryAfterSeconds: check.retryAfterSeconds },
      "lead refused: sender over its hourly limit",
    );
    return { kind: "limited", limitedBy: check.limitedBy, retryAfterSeconds: check.retryAfterSeconds };
  }

  if (honeypotFilled) {
    const outcome = await store(deps, lead, idempotencyKey, "spam");
    log.warn({ submissionId: outcome.id }, "lead stored as spam: honeypot field filled; it is not sent to Notion");
    return outcome;
  }

  const checked = (await submission.verify?.()) ?? { kind: "passed" };
  if (checked.kind === "refused") {
    // The same submission stored meanwhile (another process, a double click
    // whose first post won): its answer, not the spent token's "no".
    const stored = earlierDelivery(deps.queue, submission, now());
    if (stored !== undefined) return outcomeOf(stored);
    return { kind: "refused", reason: checked.reason };
  }

  const flags = [...(checked.kind === "unverified" ? [checked.flag] : [])];
  const suspicions = deps.suspicionsOf?.(lead) ?? [];
  if (suspicions.length > 0)
    log.warn({ flags: suspicions }, "lead flagged as possible spam; it goes to Notion with a warning on its activity");
  flags.push(...suspicions);
  // Flags the route already set stay beside these.
  const allFlags = [...(lead.context?.flags ?? []), ...flags];
  return store(
    deps,
    flags.length > 0 ? { ...lead, context: { ...lead.context, flags: allFlags } } : lead,
    idempotencyKey,
  );
}

/**
 * Stored durably, handed to the worker, and given a few seconds to reach
 * Notion. A redelivery with the same idempotency key is answered as the
 * first delivery and written once. Spam is stored too (so a redelivery
 * finds it) but never handed to the worker.
 */
async function store(
  { queue, worker, responseWaitMs = LEAD_RESPONSE_WAIT_MS, priority }: SubmitLeadDependencies,
  lead: QueuedLead,
  idempotencyKey: string | undefined,
  state: "queued" | "spam" = "queued",
): Promise<Exclude<LeadOutcome, { kind: "invalid" | "limited" | "refused" }>> {
  const { submission, duplicate } = queue.enqueue(lead, idempotencyKey, state, priority);
  if (!duplicate && submission.state === "queued") worker.notify();
  const waits = submission.state === "queued" && responseWaitMs > 0;
  const settled = waits ? await worker.waitFor(submission.id, responseWaitMs) : submission;
  return outcomeOf(settled ?? submission);
}

/** The submission this one repeats: stored under its key, or within the same-submission window. */
function earlierDelivery(
  queue: LeadQueue,
  { idempotencyKey, sameSubmission }: LeadSubmission,
  nowMs: number,
): Submission | undefined {
  if (sameSubmission !== undefined) return findSameSubmission(sameSubmission, nowMs, queue.findByKey);
  return idempotencyKey === undefined ? undefined : queue.findByKey(idempotencyKey);
}

function outcomeOf(submission: Submission): Exclude<LeadOutcome, { kind: "invalid" | "limited" | "refused" }> {
  if (submission.state === "spam") return { kind: "spam", id: submission.id };
  // A lead held only for its activity row: its contact is written, and that is the answer.
  const written =
    submission.state === "done" || (submission.state === "queued" && submission.heldSinceMs !== undefined);
  if (written && submission.contactPageId !== undefined) {
    return { kind: submission.outcome ?? "updated", id: submission.contactPageId };
  }
  return { kind: "queued", id: submission.id };
}
