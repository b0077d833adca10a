import type { Store } from "../store/open-store.js";

export type StoredDealStage = {
  /** null when the deal was seen without a Stage. */
  stage: string | null;
  /** The page's last_edited_time when the stage was stored; undefined for rows stored before it was kept. */
  lastEditedTime: string | undefined;
  /** How many changes of Stage were stored for the deal: a message is keyed on it. */
  moves: number;
};

/** The last Stage seen for each deal; it, not the event or the poll, decides whether a change happened. */
export function createDealStageStore(db: Store, now: () => number = Date.now) {
  const read = db.prepare<[string], { stage: string | null; last_edited_time: string | null; moves: number }>(
    "SELECT stage, last_edited_time, moves FROM deal_stages WHERE page_id = ?",
  );
  const write = db.prepare(
    `INSERT INTO deal_stages (page_id, stage, updated_at_ms, last_edited_time, moves) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (page_id) DO UPDATE SET stage = excluded.stage, updated_at_ms = excluded.updated_at_ms,
       last_edited_time = excluded.last_edited_time, moves = excluded.moves`,
  );
  return {
    /** `undefined` when the deal was never seen. */
    get(pageId: string): StoredDealStage | undefined {
      const row = read.get(pageId);
      return row === undefined
        ? undefined
        : { stage: row.stage, lastEditedTime: row.last_edited_time ?? undefined, moves: row.moves };
    },
    /** `moves`: the deal's count of stored changes of Stage, this one included. */
    set(pageId: string, stage: string | undefined, lastEditedTime: string, moves = 0): void {
      write.run(pageId, stage ?? null, now(), lastEditedTime, moves);
    },
  };
}

export type DealStageStore = ReturnType<typeof createDealStageStore>;
