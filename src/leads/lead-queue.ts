import { randomUUID } from "node:crypto";
import type { Store } from "../store/open-store.js";
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
};

export type LeadQueue = ReturnType<typeof createLeadQueue>;

/**
 * The durable queue of accepted leads. A lead is inserted before the sender
 * is answered; an idempotency key (a delivery id) makes a redelivery find
 * the first row instead of adding one.
 */
export function createLeadQueue(db: Store, now: () => number = Date.now) {
  const insert = db.prepare(
    `INSERT INTO lead_submissions (id, idempotency_key, email, lead_json, received_at_ms, state, next_attempt_at_ms)
     VALUES (@id, @key, @email, @lead, @at, @state, @at) ON CONFLICT (idempotency_key) DO NOTHING`,
  );
  const byId = db.prepare<[string], Row>("SELECT * FROM lead_submissions WHERE id = ?");
  const byKey = db.prepare<[string], Row>("SELECT * FROM lead_submissions WHERE idempotency_key = ?");
  const queuedForEmail = db.prepare<[string], Row>(
    "SELECT * FROM lead_submissions WHERE email = ? AND state = 'queued' ORDER BY received_at_ms, rowid",
  );
  // Held leads wait for the hold's probe, not for their own retry time.
  const dueEmails = db.prepare<[number, number], { email: string }>(
    `SELECT email FROM lead_submissions WHERE state = 'queued' AND held_since_ms IS NULL GROUP BY email HAVING min(next_attempt_at_ms) <= ? ORDER BY min(received_at_ms) LIMIT ?`,
  );
  const nextDue = db.prepare<[], { at: number | null }>(
    "SELECT min(next_attempt_at_ms) AS at FROM lead_submissions WHERE state = 'queued' AND held_since_ms IS NULL",
  );
  const hold = db.prepare(
    "UPDATE lead_submissions SET held_since_ms = coalesce(held_since_ms, ?), last_error = ? WHERE id = ? AND state = 'queued'",
  );
  const oldestHeld = db.prepare<[], { email: string }>(
    "SELECT email FROM lead_submissions WHERE state = 'queued' AND held_since_ms IS NOT NULL ORDER BY received_at_ms, rowid LIMIT 1",
  );
  const release = db.prepare(
    "UPDATE lead_submissions SET held_since_ms = NULL, next_attempt_at_ms = ? WHERE state = 'queued' AND held_since_ms IS NOT NULL",
  );
  const heldCount = db.prepare<[], { n: number }>(
    "SELECT count(*) AS n FROM lead_submissions WHERE state = 'queued' AND held_since_ms IS NOT NULL",
  );
  const listHeld = db.prepare<[number], Row>(
    "SELECT * FROM lead_submissions WHERE state = 'queued' AND held_since_ms IS NOT NULL ORDER BY received_at_ms LIMIT ?",
  );
  const oldestWaiting = db.prepare<[], { at: number | null }>(
    "SELECT min(received_at_ms) AS at FROM lead_submissions WHERE state = 'queued' AND held_since_ms IS NULL",
  );
  const setContact = db.prepare("UPDATE lead_submissions SET contact_page_id = ?, outcome = ? WHERE id = ?");
  const setActivityStarted = db.prepare("UPDATE lead_submissions SET activity_started = 1 WHERE id = ?");
  const setActivity = db.prepare("UPDATE lead_submissions SET activity_page_id = ? WHERE id = ?");
  const finish = db.prepare(
    "UPDATE lead_submissions SET state = 'done', finished_at_ms = ?, last_error = NULL, held_since_ms = NULL WHERE id = ? AND state = 'queued'",
  );
  const retryLater = db.prepare(
    "UPDATE lead_submissions SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ? WHERE id = ? AND state = 'queued'",
  );
  const bury = db.prepare(
    "UPDATE lead_submissions SET attempts = attempts + 1, state = 'dead', last_error = ?, finished_at_ms = ?, held_since_ms = NULL WHERE id = ? AND state = 'queued'",
  );
  const listByEmail = db.prepare<[string, number], Row>(
    "SELECT * FROM lead_submissions WHERE email = ? ORDER BY received_at_ms, rowid LIMIT ?",
  );
  const listByState = db.prepare<[string, number], Row>(
    "SELECT * FROM lead_submissions WHERE state = ? ORDER BY received_at_ms LIMIT ?",
  );
  const revive = db.prepare(
    "UPDATE lead_submissions SET state = 'queued', next_attempt_at_ms = ?, finished_at_ms = NULL WHERE id = ? AND state = 'dead'",
  );
  const countByState = db.prepare<[], { state: SubmissionState; n: number }>(
    "SELECT state, count(*) AS n FROM lead_submissions GROUP BY state",
  );

  const get = (id: string) => fromRow(byId.get(id));

  return {
    /** Stores an accepted lead; with a key already stored, returns that row instead. */
    enqueue(
      lead: QueuedLead,
      idempotencyKey?: string,
      state: "queued" | "spam" = "queued",
    ): { submission: Submission; duplicate: boolean } {
      const id = randomUUID();
      const { changes } = insert.run({
        id,
        key: idempotencyKey ?? null,
        email: lead.email,
        lead: JSON.stringify(lead),
        at: now(),
        state,
      });
      const row = changes === 1 ? byId.get(id) : byKey.get(idempotencyKey!);
      return { submission: fromRow(row)!, duplicate: changes === 0 };
    },
    get,
    /** The submission stored under a delivery's idempotency key, if any: a redelivery is answered from it. */
    findByKey: (idempotencyKey: string) => fromRow(byKey.get(idempotencyKey)),
    /** Every queued lead of one email, oldest first: they are sent to Notion together. */
    queuedFor: (email: string) => queuedForEmail.all(email).map((row) => fromRow(row)!),
    dueEmails: (limit: number) => dueEmails.all(now(), limit).map((row) => row.email),
    nextDueAtMs: () => nextDue.get()?.at ?? undefined,
    setContact: db.transaction((ids: readonly string[], pageId: string, outcomes: readonly Outcome[]) => {
      ids.forEach((id, index) => setContact.run(pageId, outcomes[index] ?? "updated", id));
    }),
    markActivityStarted: (id: string) => void setActivityStarted.run(id),
    setActivity: (id: string, pageId: string) => void setActivity.run(pageId, id),
    finish: db.transaction((ids: readonly string[]) => ids.forEach((id) => finish.run(now(), id))),
    retryLater: db.transaction((ids: readonly string[], atMs: number, error: string) =>
      ids.forEach((id) => retryLater.run(atMs, error, id)),
    ),
    bury: db.transaction((ids: readonly string[], error: string) => ids.forEach((id) => bury.run(error, now(), id))),
    /** Notion refused a create for these: they stay queued, held, and a hold is not a failed attempt. */
    hold: db.transaction((ids: readonly string[], reason: string) => ids.forEach((id) => hold.run(now(), reason, id))),
    /** The email of the oldest held lead: the one a probe tries. */
    oldestHeldEmail: () => oldestHeld.get()?.email,
    /** Notion accepts creates again: every held lead is due now. Returns how many. */
    releaseHeld: () => release.run(now()).changes,
    heldCount: () => heldCount.get()?.n ?? 0,
    listHeld: (limit = 100) => listHeld.all(limit).map((row) => fromRow(row)!),
    /** When the oldest lead still waiting for Notion (held ones aside) was received. */
    oldestWaitingAtMs: () => oldestWaiting.get()?.at ?? undefined,
    list: (state: SubmissionState, limit = 100) => listByState.all(state, limit).map((row) => fromRow(row)!),
    /** Every submission from one address (trimmed and lower-cased, as leads are), oldest first. */
    forEmail: (email: string, limit = 200) =>
      listByEmail.all(email.trim().toLowerCase(), limit).map((row) => fromRow(row)!),
    /** Puts a dead lead back in the queue, due now. */
    revive: (id: string) => revive.run(now(), id).changes === 1,
    counts: () =>
      Object.fromEntries(countByState.all().map((row) => [row.state, row.n])) as Partial<
        Record<SubmissionState, number>
      >,
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
  };
}
