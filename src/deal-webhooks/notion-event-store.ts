import type { Store } from "../store/open-store.js";
import { STAGE_EVENT_TYPES, type NotionEvent } from "./notion-event.js";

/** Notion retries a delivery for about a day; seen ids are kept a week. */
export const EVENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

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

/**
 * Events are recorded with INSERT OR IGNORE on Notion's event id before they
 * are answered, so a redelivery or a replay is a no-op. Events that cannot
 * change a Stage are recorded as ignored, only to be recognised again.
 */
export function createNotionEventStore(db: Store, now: () => number = Date.now) {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO notion_events (id, type, page_id, parent_id, parent_data_source_id, updated_properties, event_at, received_at_ms, state, next_attempt_at_ms)
     VALUES (@id, @type, @pageId, @parentId, @parentDataSourceId, @updatedProperties, @eventAt, @at, @state, @at)`,
  );
  const duePages = db.prepare<[{ now: number; quietMs: number; maxWaitMs: number }], { page_id: string }>(
    `SELECT page_id FROM notion_events WHERE state = 'queued' GROUP BY page_id
     HAVING min(next_attempt_at_ms) <= @now
        AND (max(received_at_ms) <= @now - @quietMs OR min(received_at_ms) <= @now - @maxWaitMs)
     ORDER BY min(received_at_ms)`,
  );
  const anyQueued = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM notion_events WHERE state = 'queued'");
  const queuedFor = db.prepare<[string], Row>(
    "SELECT * FROM notion_events WHERE page_id = ? AND state = 'queued' ORDER BY received_at_ms, rowid",
  );
  const settle = db.prepare("UPDATE notion_events SET state = ? WHERE id = ? AND state = 'queued'");
  const retry = db.prepare(
    "UPDATE notion_events SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ? WHERE id = ? AND state = 'queued'",
  );
  const bury = db.prepare(
    "UPDATE notion_events SET attempts = attempts + 1, state = 'dead', last_error = ? WHERE id = ? AND state = 'queued'",
  );
  const prune = db.prepare("DELETE FROM notion_events WHERE received_at_ms < ? AND state != 'queued'");

  return {
    /** Records an event once; false when its id was seen before. */
    record(event: NotionEvent): boolean {
      const pageId = event.entity?.type === "page" ? event.entity.id : null;
      const state = pageId !== null && STAGE_EVENT_TYPES.has(event.type) ? "queued" : "ignored";
      const { changes } = insert.run({
        id: event.id,
        type: event.type,
        pageId,
        parentId: event.data?.parent?.id ?? null,
        parentDataSourceId: event.data?.parent?.data_source_id ?? null,
        updatedProperties:
          event.data?.updated_properties === undefined ? null : JSON.stringify(event.data.updated_properties),
        eventAt: event.timestamp ?? null,
        at: now(),
        state,
      });
      return changes === 1;
    },
    /**
     * Pages with queued events, once their newest event is `quietMs` old (a
     * burst of edits is read once), or their oldest is `maxWaitMs` old: edits
     * that never stop cannot hold a page back for ever.
     */
    duePages: (quietMs: number, maxWaitMs: number = Infinity) =>
      duePages
        .all({ now: now(), quietMs, maxWaitMs: Math.min(maxWaitMs, Number.MAX_SAFE_INTEGER) })
        .map((row) => row.page_id),
    hasQueued: () => (anyQueued.get()?.n ?? 0) > 0,
    queuedFor: (pageId: string) => queuedFor.all(pageId).map(fromRow),
    settle: db.transaction((ids: readonly string[], state: "done" | "ignored") =>
      ids.forEach((id) => settle.run(state, id)),
    ),
    retryLater: db.transaction((ids: readonly string[], atMs: number, error: string) =>
      ids.forEach((id) => retry.run(atMs, error, id)),
    ),
    bury: db.transaction((ids: readonly string[], error: string) => ids.forEach((id) => bury.run(error, id))),
    /** Forgets settled events older than the retention; returns how many. */
    prune: () => prune.run(now() - EVENT_RETENTION_MS).changes,
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
