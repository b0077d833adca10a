import { createDurableQueue, type DurableQueue, type QueueId } from "../queue/durable-queue.js";
import type { Store } from "../store/open-store.js";
import type { EmailDirection } from "./email-direction.js";
import type { InboundEmailRoute } from "./inbound-email.js";

/** What became of one address of a logged email, kept as the worker goes so a retry repeats nothing. */
export type AddressProgress = {
  /** The contact's page; null: no contact has this address (nothing is created). */
  pageId: string | null;
  /** The Activities row's create was sent (its answer may have been lost). */
  activityStarted?: boolean;
  activityId?: string;
  firstTouchRecorded?: boolean;
};

/** What a logged email did: contacts updated, addresses that are not contacts. */
export type EmailResult = { contacts: number; unknown: number };

/** One stored email: what the contract lets us keep, and the snippet until Notion has the row. */
export type QueuedEmail = {
  id: number;
  key: string;
  via: InboundEmailRoute;
  direction: EmailDirection["direction"];
  from: string;
  addresses: string[];
  subject: string;
  dateMs: number;
  messageId: string | undefined;
  snippet: string | undefined;
  progress: Record<string, AddressProgress>;
  result: EmailResult | undefined;
  state: string;
  attempts: number;
  receivedAtMs: number;
  lastError: string | undefined;
};

type Row = {
  id: number;
  message_key: string;
  via: InboundEmailRoute;
  direction: EmailDirection["direction"];
  from_address: string;
  addresses_json: string;
  subject: string;
  email_date_ms: number;
  message_id: string | null;
  snippet: string | null;
  progress_json: string;
  result_json: string | null;
  state: string;
  attempts: number;
  received_at_ms: number;
  last_error: string | null;
};

export type NewEmail = {
  key: string;
  via: InboundEmailRoute;
  direction: EmailDirection;
  from: string;
  subject: string;
  dateMs: number;
  messageId: string | undefined;
  snippet: string | undefined;
};

/** Mail among the team only: stored (so a repeat is known) as finished, with nothing to do. */
export const IGNORED = "ignored";

export type InboundEmailQueue = {
  readonly jobs: DurableQueue<QueuedEmail>;
  /** Stores an email once per key; internal mail is stored as ignored, without a snippet. */
  store(email: NewEmail): { item: QueuedEmail; isNew: boolean };
  saveProgress(id: QueueId, progress: Record<string, AddressProgress>): void;
  /** Done: the result kept, the snippet cleared (Notion has the row now). */
  finish(id: QueueId, result: EmailResult): boolean;
};

/** The inbound_emails table (migration 16) as a durable queue. */
export function createInboundEmailQueue(db: Store, now: () => number = Date.now): InboundEmailQueue {
  const jobs = createDurableQueue<Row, QueuedEmail>(
    db,
    {
      table: "inbound_emails",
      keyColumn: "message_key",
      createdAtColumn: "received_at_ms",
      finalStates: [IGNORED],
      resultColumn: "result_json",
      fromRow,
    },
    now,
  );
  const progress = db.prepare<[string, QueueId]>("UPDATE inbound_emails SET progress_json = ? WHERE id = ?");
  const clearSnippet = db.prepare<[QueueId]>("UPDATE inbound_emails SET snippet = NULL WHERE id = ?");
  const finish = db.transaction((id: QueueId, result: EmailResult) => {
    const done = jobs.markDone([id], { result }) === 1;
    if (done) clearSnippet.run(id);
    return done;
  });
  return {
    jobs,
    store(email) {
      const internal = email.direction.direction === "internal";
      return jobs.enqueue(
        {
          via: email.via,
          direction: email.direction.direction,
          from_address: email.from,
          addresses_json: JSON.stringify(email.direction.addresses),
          subject: email.subject,
          email_date_ms: email.dateMs,
          message_id: email.messageId ?? null,
          snippet: internal ? null : (email.snippet ?? null),
        },
        { key: email.key, ...(internal && { state: IGNORED }) },
      );
    },
    saveProgress: (id, state) => void progress.run(JSON.stringify(state), id),
    finish: (id, result) => finish(id, result),
  };
}

function fromRow(row: Row): QueuedEmail {
  return {
    id: row.id,
    key: row.message_key,
    via: row.via,
    direction: row.direction,
    from: row.from_address,
    addresses: JSON.parse(row.addresses_json) as string[],
    subject: row.subject,
    dateMs: row.email_date_ms,
    messageId: row.message_id ?? undefined,
    snippet: row.snippet ?? undefined,
    progress: JSON.parse(row.progress_json) as Record<string, AddressProgress>,
    result: row.result_json === null ? undefined : (JSON.parse(row.result_json) as EmailResult),
    state: row.state,
    attempts: row.attempts,
    receivedAtMs: row.received_at_ms,
    lastError: row.last_error ?? undefined,
  };
}
