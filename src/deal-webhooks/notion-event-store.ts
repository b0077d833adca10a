import { createDurableQueue, type DurableQueueTable, type QueueReader } from "../queue/durable-queue.js";
import type { Store } from "../store/open-store.js";
import { STAGE_EVENT_TYPES, type NotionEvent } from "./notion-event.js";

export type StoredEvent = {
  id: string;
  type: string;
  pageId: string;
  parentId: string | undefined;
  parentDataSourceId: string | undefined;
  updatedProperties: string[];
  attempts: number;
  receivedAtMs: number;
};

type Row = {
  id: string;
  type: string;
  page_id: string;
  parent_id: string | null;
  parent_data_source_id: string | null;
  updated_properties: string | null;
  attempts: number;
  received_at_ms: number;
};

export type NotionEventStore = ReturnType<typeof createNotionEventStore>;

/** notion_events on the durable-queue contract: Notion's event id is the id and the key; a page's events go together. */
export const NOTION_EVENT_TABLE: DurableQueueTable<Row, StoredEvent> = {
  table: "notion_events",
  keyColumn: "id",
  createdAtColumn: "received_at_ms",
  finalStates: ["ignored"],
  groupColumn: "page_id",
  fromRow,
};

/**
 * Events are recorded with INSERT OR IGNORE on Notion's event id before they
 * are answered, so a redelivery or a replay is a no-op. Events that cannot
 * change a Stage are recorded as ignored, only to be recognised again.
 */
export function createNotionEventStore(db: Store, now: () => number = Date.now) {
  const jobs = createDurableQueue(db, NOTION_EVENT_TABLE, now);

  return {
    /** The generic queue underneath: what alerts read. */
    jobs: jobs as QueueReader<StoredEvent>,
    /** Records an event once; false when its id was seen before. */
    record(event: NotionEvent): boolean {
      const pageId = event.entity?.type === "page" ? event.entity.id : null;
      const state = pageId !== null && STAGE_EVENT_TYPES.has(event.type) ? "queued" : "ignored";
      const { isNew } = jobs.enqueue(
        {
          type: event.type,
          page_id: pageId,
          parent_id: event.data?.parent?.id ?? null,
          parent_data_source_id: event.data?.parent?.data_source_id ?? null,
          updated_properties:
            event.data?.updated_properties === undefined ? null : JSON.stringify(event.data.updated_properties),
          event_at: event.timestamp ?? null,
        },
        { key: event.id, state },
      );
      return isNew;
    },
    /**
     * Pages with queued events, once their newest event is `quietMs` old (a
     * burst of edits is read once), or their oldest is `maxWaitMs` old: edits
     * that never stop cannot hold a page back for ever.
     */
    duePages: (quietMs: number, maxWaitMs: number = Infinity) =>
      jobs.dueGroups(Number.MAX_SAFE_INTEGER, { quietMs, maxWaitMs }),
    hasQueued: () => jobs.hasQueued(),
    queuedFor: (pageId: string) => jobs.queuedInGroup(pageId),
    settle: (ids: readonly string[], state: "done" | "ignored") => void jobs.markDone(ids, { state }),
    retryLater: (ids: readonly string[], atMs: number, error: string) => void jobs.retryLater(ids, atMs, error),
    bury: (ids: readonly string[], error: string) => void jobs.bury(ids, error),
    /** Events waiting out a retry's backoff are due now (Notion answers again); returns how many. */
    resumeWaiting: () => jobs.resumeWaiting(),
    hasRetryWaiting: () => jobs.hasRetryWaiting(),
    /** Drops a dead event for good. */
    discard: (id: string) => jobs.discard(id),
    isDead: (id: string) => jobs.stateOf(id) === "dead",
    /** Forgets settled events that finished more than `olderThanMs` ago (RETENTION_DAYS; Notion redelivers for about a day). */
    pruneFinished: (olderThanMs: number) => jobs.pruneFinished(olderThanMs),
  };
}

function fromRow(row: Row): StoredEvent {
  return {
    id: row.id,
    type: row.type,
    pageId: row.page_id,
    parentId: row.parent_id ?? undefined,
    parentDataSourceId: row.parent_data_source_id ?? undefined,
    updatedProperties: row.updated_properties === null ? [] : (JSON.parse(row.updated_properties) as string[]),
    attempts: row.attempts,
    receivedAtMs: row.received_at_ms,
  };
}
