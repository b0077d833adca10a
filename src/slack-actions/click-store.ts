import type { LeadAction } from "../slack/lead-buttons.js";
import type { Store } from "../store/open-store.js";

/** One button click as it arrived from Slack: all the worker needs, kept before Slack is answered. */
export type ClickPayload = {
  action: LeadAction;
  /** The lead's Contacts page id, from the button's value. */
  pageId: string;
  teamId: string;
  userId: string;
  userName?: string | undefined;
  channelId?: string | undefined;
  messageTs?: string | undefined;
  /** Slack's per-click URL for changing the message (valid 30 minutes, 5 uses). */
  responseUrl?: string | undefined;
  /** The message's blocks as Slack sent them, to change in place. */
  blocks?: unknown[] | undefined;
  clickedAtMs: number;
};

/** What a retried click has done already, so no step happens twice. */
export type ClickProgress = { applied?: boolean; activityStarted?: boolean; outcome?: string };

export type ClickState = "queued" | "done" | "dead";
export type StoredClick = {
  id: number;
  key: string;
  state: ClickState;
  attempts: number;
  nextAttemptAtMs: number;
  lastError: string | undefined;
  payload: ClickPayload;
  progress: ClickProgress;
  receivedAtMs: number;
  finishedAtMs: number | undefined;
};

type Row = {
  id: number;
  idempotency_key: string;
  state: ClickState;
  attempts: number;
  next_attempt_at_ms: number;
  last_error: string | null;
  payload_json: string;
  progress_json: string;
  received_at_ms: number;
  finished_at_ms: number | null;
};

/**
 * The durable queue of Slack clicks (table slack_clicks). Its API is the
 * generic queue's shape on purpose (enqueue with an idempotency key → isNew,
 * claimDue, markDone, retryLater, bury, revive, list): when the one durable
 * queue module (src/queue) lands, this file is replaced by a queue named
 * "slack-clicks" over it, and the worker keeps its calls.
 */
export function createClickStore(db: Store, now: () => number = Date.now) {
  const insert = db.prepare(
    `INSERT INTO slack_clicks (idempotency_key, state, next_attempt_at_ms, payload_json, received_at_ms)
     VALUES (?, 'queued', ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
  );
  const byId = db.prepare<[number], Row>("SELECT * FROM slack_clicks WHERE id = ?");
  const byKey = db.prepare<[string], Row>("SELECT * FROM slack_clicks WHERE idempotency_key = ?");
  const due = db.prepare<[number, number], Row>(
    "SELECT * FROM slack_clicks WHERE state = 'queued' AND next_attempt_at_ms <= ? ORDER BY id LIMIT ?",
  );
  const earliest = db.prepare<[], { at: number | null }>(
    "SELECT min(next_attempt_at_ms) AS at FROM slack_clicks WHERE state = 'queued'",
  );
  const done = db.prepare(
    "UPDATE slack_clicks SET state = 'done', attempts = attempts + 1, last_error = NULL, finished_at_ms = ? WHERE id = ?",
  );
  const retry = db.prepare(
    "UPDATE slack_clicks SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ? WHERE id = ? AND state = 'queued'",
  );
  const bury = db.prepare(
    "UPDATE slack_clicks SET state = 'dead', attempts = attempts + 1, last_error = ?, finished_at_ms = ? WHERE id = ?",
  );
  const progress = db.prepare("UPDATE slack_clicks SET progress_json = ? WHERE id = ?");
  const revive = db.prepare(
    "UPDATE slack_clicks SET state = 'queued', next_attempt_at_ms = ?, finished_at_ms = NULL WHERE id = ? AND state = 'dead'",
  );
  const list = db.prepare<[string, number], Row>("SELECT * FROM slack_clicks WHERE state = ? ORDER BY id LIMIT ?");

  return {
    /** Stores a click; a key seen before (a double click, Slack's retry) stores nothing: isNew false. */
    enqueue(key: string, payload: ClickPayload): { isNew: boolean; click: StoredClick } {
      const at = now();
      const { changes } = insert.run(key, at, JSON.stringify(payload), at);
      return { isNew: changes === 1, click: fromRow(byKey.get(key))! };
    },
    /** Queued clicks due now, oldest first. */
    claimDue: (limit: number) => due.all(now(), limit).map((row) => fromRow(row)!),
    get: (id: number) => fromRow(byId.get(id)),
    earliestDueAtMs: () => earliest.get()?.at ?? undefined,
    markDone: (id: number) => void done.run(now(), id),
    retryLater: (id: number, atMs: number, error: string) => void retry.run(atMs, error, id),
    bury: (id: number, error: string) => void bury.run(error, now(), id),
    saveProgress: (id: number, value: ClickProgress) => void progress.run(JSON.stringify(value), id),
    revive: (id: number) => revive.run(now(), id).changes === 1,
    list: (state: ClickState, limit = 100) => list.all(state, limit).map((row) => fromRow(row)!),
  };
}

export type ClickStore = ReturnType<typeof createClickStore>;

function fromRow(row: Row | undefined): StoredClick | undefined {
  if (row === undefined) return undefined;
  return {
    id: row.id,
    key: row.idempotency_key,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAtMs: row.next_attempt_at_ms,
    lastError: row.last_error ?? undefined,
    payload: JSON.parse(row.payload_json) as ClickPayload,
    progress: JSON.parse(row.progress_json) as ClickProgress,
    receivedAtMs: row.received_at_ms,
    finishedAtMs: row.finished_at_ms ?? undefined,
  };
}
