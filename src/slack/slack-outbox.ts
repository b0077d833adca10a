import type { Store } from "../store/open-store.js";
import type { SlackMessage } from "./slack-message.js";

export type OutboxState = "queued" | "sent" | "dead";
/** Where a message goes: the team's channel, or the operator's alerts (SLACK_ALERTS_WEBHOOK_URL). */
export type SlackChannel = "sales" | "alerts";
export type OutboxItem = {
  id: number;
  dedupeKey: string | undefined;
  message: SlackMessage;
  channel: SlackChannel;
  state: OutboxState;
  attempts: number;
  nextAttemptAtMs: number;
  lastError: string | undefined;
  createdAtMs: number;
};

type Row = {
  id: number;
  dedupe_key: string | null;
  payload_json: string;
  channel: SlackChannel;
  state: OutboxState;
  attempts: number;
  next_attempt_at_ms: number;
  last_error: string | null;
  created_at_ms: number;
};

export type SlackOutbox = ReturnType<typeof createSlackOutbox>;

/**
 * Every Slack message is stored before it is sent, so a Slack outage or a
 * restart delays a message but never loses it. A dedupe key (a deal's
 * transition, a day's digest) makes a message that must go out once go out once.
 */
export function createSlackOutbox(db: Store, now: () => number = Date.now) {
  const insert = db.prepare<[{ key: string | null; payload: string; at: number; due: number; channel: SlackChannel }]>(
    "INSERT INTO slack_outbox (dedupe_key, payload_json, created_at_ms, state, next_attempt_at_ms, channel) VALUES (@key, @payload, @at, 'queued', @due, @channel) ON CONFLICT (dedupe_key) DO NOTHING",
  );
  // A queued message no sender holds may still be rewritten or dropped (a new-lead alert folded into a grouped one).
  const replaceQueued = db.prepare(
    "UPDATE slack_outbox SET payload_json = ? WHERE id = ? AND state = 'queued' AND (lease_until_ms IS NULL OR lease_until_ms < ?)",
  );
  const dropQueued = db.prepare(
    "DELETE FROM slack_outbox WHERE id = ? AND state = 'queued' AND (lease_until_ms IS NULL OR lease_until_ms < ?)",
  );
  const byId = db.prepare<[number], Row>("SELECT * FROM slack_outbox WHERE id = ?");
  const byKey = db.prepare<[string], Row>("SELECT * FROM slack_outbox WHERE dedupe_key = ?");
  const nextDue = db.prepare<[{ now: number }], Row>(
    "SELECT * FROM slack_outbox WHERE state = 'queued' AND next_attempt_at_ms <= @now AND (lease_until_ms IS NULL OR lease_until_ms < @now) ORDER BY id LIMIT 1",
  );
  const earliest = db.prepare<[], { at: number | null }>(
    "SELECT min(next_attempt_at_ms) AS at FROM slack_outbox WHERE state = 'queued'",
  );
  const claim = db.prepare(
    "UPDATE slack_outbox SET lease_until_ms = ? WHERE id = ? AND state = 'queued' AND (lease_until_ms IS NULL OR lease_until_ms < ?)",
  );
  const markSent = db.prepare(
    "UPDATE slack_outbox SET state = 'sent', attempts = attempts + 1, sent_at_ms = ?, last_error = NULL, lease_until_ms = NULL WHERE id = ?",
  );
  const markRetry = db.prepare(
    "UPDATE slack_outbox SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ?, lease_until_ms = NULL WHERE id = ?",
  );
  const markDead = db.prepare(
    "UPDATE slack_outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, lease_until_ms = NULL WHERE id = ?",
  );
  const listByState = db.prepare<[string, number], Row>(
    "SELECT * FROM slack_outbox WHERE state = ? ORDER BY id LIMIT ?",
  );
  const revive = db.prepare(
    "UPDATE slack_outbox SET state = 'queued', next_attempt_at_ms = ? WHERE id = ? AND state = 'dead'",
  );

  return {
    /**
     * Queues a message; with a dedupe key already used, returns the first one
     * instead. `notBeforeMs` holds it until then (a new-lead alert waits for
     * the rest of a burst).
     */
    enqueue(
      message: SlackMessage,
      dedupeKey?: string,
      channel: SlackChannel = "sales",
      { notBeforeMs }: { notBeforeMs?: number } = {},
    ): { item: OutboxItem; duplicate: boolean } {
      const at = now();
      const { changes, lastInsertRowid } = insert.run({
        key: dedupeKey ?? null,
        payload: JSON.stringify(message),
        at,
        due: Math.max(at, notBeforeMs ?? at),
        channel,
      });
      const row = changes === 1 ? byId.get(Number(lastInsertRowid)) : byKey.get(dedupeKey!);
      return { item: fromRow(row)!, duplicate: changes === 0 };
    },
    get: (id: number) => fromRow(byId.get(id)),
    byKey: (key: string) => fromRow(byKey.get(key)),
    /** The oldest message due now: messages go out in the order they were queued. */
    nextDue: () => fromRow(nextDue.get({ now: now() })),
    earliestDueAtMs: () => earliest.get()?.at ?? undefined,
    /** Takes a message for `leaseMs`; false when another sender holds it or it is no longer queued. */
    claim: (id: number, leaseMs: number) => claim.run(now() + leaseMs, id, now()).changes === 1,
    markSent: (id: number) => void markSent.run(now(), id),
    markRetry: (id: number, atMs: number, error: string) => void markRetry.run(atMs, error, id),
    markDead: (id: number, error: string) => void markDead.run(error, id),
    list: (state: OutboxState, limit = 100) => listByState.all(state, limit).map((row) => fromRow(row)!),
    revive: (id: number) => revive.run(now(), id).changes === 1,
    /** Rewrites a queued message no sender holds; false when it is sent, dead, gone or being sent. */
    replaceQueued: (id: number, message: SlackMessage) =>
      replaceQueued.run(JSON.stringify(message), id, now()).changes === 1,
    /** Drops a queued message no sender holds (its content went into another); false otherwise. */
    dropQueued: (id: number) => dropQueued.run(id, now()).changes === 1,
  };
}

function fromRow(row: Row | undefined): OutboxItem | undefined {
  if (row === undefined) return undefined;
  return {
    id: row.id,
    dedupeKey: row.dedupe_key ?? undefined,
    message: JSON.parse(row.payload_json) as SlackMessage,
    channel: row.channel,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAtMs: row.next_attempt_at_ms,
    lastError: row.last_error ?? undefined,
    createdAtMs: row.created_at_ms,
  };
}
