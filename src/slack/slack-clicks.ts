import { createDurableQueue, type DurableQueue, type DurableQueueTable } from "../queue/durable-queue.js";
import type { Store } from "../store/open-store.js";
import type { LeadAction } from "./lead-buttons.js";

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
 * slack_clicks on the durable-queue contract: the key is the message, the
 * action and the lead, so a double click or Slack's retry is stored once.
 * One server applies clicks, so a click is not leased.
 */
export const SLACK_CLICKS_TABLE: DurableQueueTable<Row, StoredClick> = {
  table: "slack_clicks",
  keyColumn: "idempotency_key",
  createdAtColumn: "received_at_ms",
  orderBy: "id",
  fromRow: (row) => fromRow(row),
};

export type SlackClicks = DurableQueue<StoredClick> & {
  /** Stores a click before Slack is answered; a key stored before (a double click, Slack's retry) stores nothing: isNew false. */
  store(key: string, payload: ClickPayload): { item: StoredClick; isNew: boolean };
  /** Records the steps a queued click has done, so a retry does only what is left. */
  saveProgress(id: number, progress: ClickProgress): void;
};

/**
 * The durable queue of Slack button clicks (POST /slack/actions stores, the
 * click worker applies, `npm run jobs` lists and revives). The state machine
 * is the durable queue's; a click's own part is its payload and its progress.
 */
export function createSlackClicks(db: Store, now: () => number = Date.now): SlackClicks {
  const jobs = createDurableQueue(db, SLACK_CLICKS_TABLE, now);
  const progress = db.prepare("UPDATE slack_clicks SET progress_json = ? WHERE id = ? AND state = 'queued'");
  return {
    ...jobs,
    store: (key, payload) => jobs.enqueue({ payload_json: JSON.stringify(payload) }, { key }),
    saveProgress: (id, value) => void progress.run(JSON.stringify(value), id),
  };
}

function fromRow(row: Row): StoredClick {
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
