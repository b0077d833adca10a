import type { Store } from "../store/open-store.js";

export type StoredDealStage = {
  /** null when the deal was seen without a Stage. */
  stage: string | null;
  /** The page's last_edited_time when the stage was stored; undefined for rows stored before it was kept. */
  lastEditedTime: string | undefined;
};

/** The last Stage seen for each deal; it, not the event or the poll, decides whether a change happened. */
export function createDealStageStore(db: Store, now: () => number = Date.now) {
  const read = db.prepare<[string], { stage: string | null; last_edited_time: string | null }>(
    "SELECT stage, last_edited_time FROM deal_stages WHERE page_id = ?",
  );
  const write = db.prepare(
    `INSERT INTO deal_stages (page_id, stage, updated_at_ms, last_edited_time) VALUES (?, ?, ?, ?)
     ON CONFLICT (page_id) DO UPDATE SET stage = excluded.stage, updated_at_ms = excluded.updated_at_ms,
       last_edited_time = excluded.last_edited_time`,
  );
  return {
    /** `undefined` when the deal was never seen. */
    get(pageId: string): StoredDealStage | undefined {
      const row = read.get(pageId);
      return row === undefined ? undefined : { stage: row.stage, lastEditedTime: row.last_edited_time ?? undefined };
    },
    set(pageId: string, stage: string | undefined, lastEditedTime: string): void {
      write.run(pageId, stage ?? null, now(), lastEditedTime);
    },
  };
}

export type DealStageStore = ReturnType<typeof createDealStageStore>;
