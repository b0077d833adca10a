import type { Store } from "../store/open-store.js";

/** The last Stage seen for each deal; it, not the event, decides whether a change happened. */
export function createDealStageStore(db: Store, now: () => number = Date.now) {
  const read = db.prepare<[string], { stage: string | null }>("SELECT stage FROM deal_stages WHERE page_id = ?");
  const write = db.prepare(
    `INSERT INTO deal_stages (page_id, stage, updated_at_ms) VALUES (?, ?, ?)
     ON CONFLICT (page_id) DO UPDATE SET stage = excluded.stage, updated_at_ms = excluded.updated_at_ms`,
  );
  return {
    /** `undefined` when the deal was never seen; `null` when it was seen without a Stage. */
    get(pageId: string): string | null | undefined {
      const row = read.get(pageId);
      return row === undefined ? undefined : row.stage;
    },
    set(pageId: string, stage: string | undefined): void {
      write.run(pageId, stage ?? null, now());
    },
  };
}

export type DealStageStore = ReturnType<typeof createDealStageStore>;
