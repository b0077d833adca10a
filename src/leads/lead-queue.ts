import { randomUUID } from "node:crypto";
import { createDurableQueue, type DurableQueueTable, type QueueReader } from "../queue/durable-queue.js";
import type { Store } from "../store/open-store.js";
import { withoutFsync } from "../store/without-fsync.js";
import type { QueuedLead } from "./lead.js";

export type SubmissionState = "queued" | "done" | "dead" | "spam";
export type Outcome = "created" | "updated";

export type Submission = {
  id: string;
  idempotencyKey: string | undefined;
  email: string;
  lead: QueuedLead;
  receivedAtMs: number;
  state: SubmissionState;
  attempts: number;
  nextAttemptAtMs: number;
  lastError: string | undefined;
  outcome: Outcome | undefined;
  contactPageId: string | undefined;
  activityPageId: string | undefined;
  activityStarted: boolean;
  /** Queued, but held since then: Notion refused to create its contact or activity (see create-hold). */
  heldSinceMs: number | undefined;
  /** SIGNED_PRIORITY (/lead, /lead/<service>) or UNSIGNED_PRIORITY (/form). */
  priority: number;
};

type Row = {
  id: string;
  idempotency_key: string | null;
  email: string;
  lead_json: string;
  received_at_ms: number;
  state: SubmissionState;
  attempts: number;
  next_attempt_at_ms: number;
  last_error: string | null;
  outcome: Outcome | null;
  contact_page_id: string | null;
  activity_page_id: string | null;
  activity_started: number;
  held_since_ms: number | null;
  priority: number;
};

export type LeadQueue = ReturnType<typeof createLeadQueue>;

/** Signed leads (/lead, /lead/<service>) wait ahead of unsigned ones (/form): a flood of one cannot delay the other. */
export const SIGNED_PRIORITY = 1;
export const UNSIGNED_PRIORITY = 0;
/** What a spam row keeps of its lead: nothing. */
const SPAM_BODY = JSON.stringify({ email: "" });

/** lead_submissions on the durable-queue contract; a held lead is a parked one. */
export const LEAD_QUEUE_TABLE: DurableQueueTable<Row, Submission> = {
  table: "lead_submissions",
  keyColumn: "idempotency_key",
  createdAtColumn: "received_at_ms",
  finalStates: ["spam"],
  parkedColumn: "held_since_ms",
  groupColumn: "email",
  priorityColumn: "priority",
  fromRow: (row) => fromRow(row)!,
};

/**
 * The durable queue of accepted leads. A lead is inserted before the sender
 * is answered; an idempotency key (a delivery id) makes a redelivery find
 * the first row instead of adding one. The state machine is the durable
 * queue's; what is a lead's own (its contact and activity pages) is here.
 */
export function createLeadQueue(db: Store, now: () => number = Date.now) {
  const jobs = createDurableQueue(db, LEAD_QUEUE_TABLE, now);
  const listByEmail = db.prepare<[string, number], Row>(
    "SELECT * FROM lead_submissions WHERE email = ? ORDER BY received_at_ms, rowid LIMIT ?",
  );
  const setContact = db.prepare("UPDATE lead_submissions SET contact_page_id = ?, outcome = ? WHERE id = ?");
  const setActivityStarted = db.prepare("UPDATE lead_submissions SET activity_started = 1 WHERE id = ?");
  const setActivity = db.prepare("UPDATE lead_submissions SET activity_page_id = ? WHERE id = ?");
  const setContactOf = db.transaction((ids: readonly string[], pageId: string, outcomes: readonly Outcome[]) => {
    ids.forEach((id, index) => setContact.run(pageId, outcomes[index] ?? "updated", id));
  });

  return {
    /** The generic queue underneath: what alerts, `check` and `jobs` read. */
    jobs: jobs as QueueReader<Submission>,
    /**
     * Stores an accepted lead; with a key already stored, returns that row
     * instead. `priority` orders waiting emails: signed leads (/lead,
     * /lead/<service>) are SIGNED_PRIORITY and go before unsigned /form posts.
     */
    enqueue(
      lead: QueuedLead,
      idempotencyKey?: string,
      state: "queued" | "spam" = "queued",
      priority: number = SIGNED_PRIORITY,
    ): { submission: Submission; duplicate: boolean } {
      // Spam is only counted: its row keeps the submission's key (a hash, so a repeat is answered alike), never its body.
      const columns =
        state === "spam"
          ? { id: randomUUID(), email: "", lead_json: SPAM_BODY, priority: 0 }
          : { id: randomUUID(), email: lead.email, lead_json: JSON.stringify(lead), priority };
      const { item, isNew } = jobs.enqueue(columns, { key: idempotencyKey, state });
      return { submission: item, duplicate: !isNew };
    },
    get: (id: string) => jobs.get(id),
    /** The submission stored under a delivery's idempotency key, if any: a redelivery is answered from it. */
    findByKey: (idempotencyKey: string) => jobs.findByKey(idempotencyKey),
    /** Every queued lead of one email, oldest first: they are sent to Notion together. */
    queuedFor: (email: string) => jobs.queuedInGroup(email),
    // Held leads wait for the hold's probe, not for their own retry time.
    dueEmails: (limit: number) => jobs.dueGroups(limit),
    /** Emails with a signed lead due, oldest first. */
    dueSignedEmails: (limit: number) => jobs.dueGroups(limit, { minPriority: SIGNED_PRIORITY }),
    nextDueAtMs: () => jobs.nextDueAtMs(),
    // The contact and activity pages are noted without an fsync of their own: the worker's next write
    // (the activity's started mark, or the finish) follows at once, with no request between, and syncs
    // them with it; and a power cut in between only makes the next try find the pages by reading
    // (the contact by its email, the started activity by its ref). The started mark itself is synced
    // before the create it guards is sent, so that create is never repeated.
    setContact: (ids: readonly string[], pageId: string, outcomes: readonly Outcome[]) =>
      withoutFsync(db, () => setContactOf(ids, pageId, outcomes)),
    markActivityStarted: (id: string) => void setActivityStarted.run(id),
    setActivity: (id: string, pageId: string) => void withoutFsync(db, () => setActivity.run(pageId, id)),
    finish: (ids: readonly string[]) => void jobs.markDone(ids),
    retryLater: (ids: readonly string[], atMs: number, error: string) => void jobs.retryLater(ids, atMs, error),
    bury: (ids: readonly string[], error: string) => void jobs.bury(ids, error),
    /** Notion refused a create for these: they stay queued, held, and a hold is not a failed attempt. */
    hold: (ids: readonly string[], reason: string) => void jobs.park(ids, reason),
    /** The email of the oldest held lead: the one a probe tries. */
    oldestHeldEmail: () => jobs.listParked(1)[0]?.email,
    /** Notion accepts creates again: every held lead is due now. Returns how many. */
    releaseHeld: () => jobs.unparkAll(),
    heldCount: () => jobs.parkedCount(),
    listHeld: (limit = 100) => jobs.listParked(limit),
    /** When the oldest lead still waiting for Notion (held ones aside) was received. */
    oldestWaitingAtMs: () => jobs.waiting().oldestAtMs,
    list: (state: SubmissionState, limit = 100) => jobs.list(state, limit),
    /** Every submission from one address (trimmed and lower-cased, as leads are), oldest first. */
    forEmail: (email: string, limit = 200) =>
      listByEmail.all(email.trim().toLowerCase(), limit).map((row) => fromRow(row)!),
    /** Puts a dead lead back in the queue, due now. */
    revive: (id: string) => jobs.revive(id),
    counts: () => jobs.counts() as Partial<Record<SubmissionState, number>>,
    /** Leads waiting out a retry's backoff are due now (Notion answers again); returns how many. */
    resumeWaiting: () => jobs.resumeWaiting(),
    hasRetryWaiting: () => jobs.hasRetryWaiting(),
    /** Drops a dead lead for good. */
    discard: (id: string) => jobs.discard(id),
    /** Forgets submissions that finished (done, dead, spam) more than `olderThanMs` ago (RETENTION_DAYS). */
    pruneFinished: (olderThanMs: number) => jobs.pruneFinished(olderThanMs),
  };
}

function fromRow(row: Row | undefined): Submission | undefined {
  if (row === undefined) return undefined;
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key ?? undefined,
    email: row.email,
    lead: JSON.parse(row.lead_json) as QueuedLead,
    receivedAtMs: row.received_at_ms,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAtMs: row.next_attempt_at_ms,
    lastError: row.last_error ?? undefined,
    outcome: row.outcome ?? undefined,
    contactPageId: row.contact_page_id ?? undefined,
    activityPageId: row.activity_page_id ?? undefined,
    activityStarted: row.activity_started === 1,
    heldSinceMs: row.held_since_ms ?? undefined,
    priority: row.priority,
  };
}
