import { createDurableQueue, type DurableQueueTable, type QueueReader } from "../queue/durable-queue.js";
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
  /** Queued, but held since then: Slack refuses the token, webhook or channel (see slack-sender). */
  heldSinceMs: number | undefined;
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
  held_since_ms: number | null;
};

export type SlackOutbox = ReturnType<typeof createSlackOutbox>;

/** slack_outbox on the durable-queue contract: a sent message is done as 'sent'; senders lease a message. */
export const SLACK_OUTBOX_TABLE: DurableQueueTable<Row, OutboxItem> = {
  table: "slack_outbox",
  keyColumn: "dedupe_key",
  createdAtColumn: "created_at_ms",
  doneState: "sent",
  orderBy: "id",
  leases: true,
  // A message waits behind every older queued message to the same place (the
  // channel, or one person's direct messages): a 429 pauses that place once,
  // and its messages still arrive in the order they were queued.
  lineOf: (alias) =>
    `${alias}.channel || '|' || coalesce(json_extract(${alias}.payload_json, '$.dm.notionUserId'), '')`,
  parkedColumn: "held_since_ms",
  fromRow: (row) => fromRow(row)!,
};

/**
 * Every Slack message is stored before it is sent, so a Slack outage or a
 * restart delays a message but never loses it. A dedupe key (a deal's
 * transition, a day's digest) makes a message that must go out once go out once.
 */
export function createSlackOutbox(db: Store, now: () => number = Date.now) {
  const jobs = createDurableQueue(db, SLACK_OUTBOX_TABLE, now);
  // A queued message no sender holds may still be rewritten or dropped (a new-lead alert folded into a grouped one).
  const replaceQueued = db.prepare(
    "UPDATE slack_outbox SET payload_json = ? WHERE id = ? AND state = 'queued' AND (lease_until_ms IS NULL OR lease_until_ms < ?)",
  );
  const dropQueued = db.prepare(
    "DELETE FROM slack_outbox WHERE id = ? AND state = 'queued' AND (lease_until_ms IS NULL OR lease_until_ms < ?)",
  );

  return {
    /** The generic queue underneath: what `jobs` reads. */
    jobs: jobs as QueueReader<OutboxItem>,
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
      const { item, isNew } = jobs.enqueue(
        { payload_json: JSON.stringify(message), channel },
        { key: dedupeKey, notBeforeMs },
      );
      return { item, duplicate: !isNew };
    },
    get: (id: number) => jobs.get(id),
    byKey: (key: string) => jobs.findByKey(key),
    /** The oldest message due now: messages go out in the order they were queued. */
    nextDue: (): OutboxItem | undefined => jobs.due(1)[0],
    earliestDueAtMs: () => jobs.nextDueAtMs(),
    /** Takes a message for `leaseMs`; false when another sender holds it or it is no longer queued. */
    claim: (id: number, leaseMs: number) => jobs.claim(id, leaseMs),
    markSent: (id: number) => void jobs.markDone([id]),
    markRetry: (id: number, atMs: number, error: string) => void jobs.retryLater([id], atMs, error),
    markDead: (id: number, error: string) => void jobs.bury([id], error),
    list: (state: OutboxState, limit = 100) => jobs.list(state, limit),
    revive: (id: number) => jobs.revive(id),
    /** Rewrites a queued message no sender holds; false when it is sent, dead, gone or being sent. */
    replaceQueued: (id: number, message: SlackMessage) =>
      replaceQueued.run(JSON.stringify(message), id, now()).changes === 1,
    /** Drops a queued message no sender holds (its content went into another); false otherwise. */
    dropQueued: (id: number) => dropQueued.run(id, now()).changes === 1,
    /** Drops a dead message for good. */
    discard: (id: number) => jobs.discard(id),
    /** Slack refuses the route (token, webhook, channel): the message waits for `releaseHeld`. */
    hold: (id: number, reason: string) => void jobs.park([id], reason),
    /** Slack accepts again (`check` passed, `npm run jobs -- retry-slack`): every held message is due now. */
    releaseHeld: () => jobs.unparkAll(),
    heldCount: () => jobs.parkedCount(),
    /** Forgets messages that finished (sent, dead) more than `olderThanMs` ago (RETENTION_DAYS). */
    pruneFinished: (olderThanMs: number) => jobs.pruneFinished(olderThanMs),
    listHeld: (limit = 100) => jobs.listParked(limit),
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
    heldSinceMs: row.held_since_ms ?? undefined,
  };
}
