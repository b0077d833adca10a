import type { Store } from "./open-store.js";

export type DealPollState = {
  dataSourceId: string;
  /** Notion's newest last_edited_time a complete poll read (0: none yet); undefined until the first poll has finished. */
  markMs: number | undefined;
  lastStartedAtMs: number | undefined;
  lastFinishedAtMs: number | undefined;
  lastOutcome: "ok" | "failed" | undefined;
  lastError: string | undefined;
  /** Deals the last poll read, the Slack messages it queued, the Notion queries it sent. */
  lastDeals: number | undefined;
  lastMessages: number | undefined;
  lastQueries: number | undefined;
};

type Row = {
  data_source_id: string;
  mark_ms: number | null;
  last_started_at_ms: number | null;
  last_finished_at_ms: number | null;
  last_outcome: "ok" | "failed" | null;
  last_error: string | null;
  last_deals: number | null;
  last_messages: number | null;
  last_queries: number | null;
};

export type DealPollResult =
  | { outcome: "ok"; markMs: number; deals: number; messages: number; queries: number }
  | { outcome: "failed"; error: string; deals: number; messages: number; queries: number };

/** The poll's mark and last outcome: one row, so edits made while stopped are found at the next start. */
export function createDealPollStore(db: Store) {
  const read = db.prepare<[], Row>("SELECT * FROM deal_poll WHERE id = 1");
  const upsert = db.prepare<[{ ds: string; mark: number | null; started: number }]>(
    `INSERT INTO deal_poll (id, data_source_id, mark_ms, last_started_at_ms) VALUES (1, @ds, @mark, @started)
     ON CONFLICT (id) DO UPDATE SET data_source_id = @ds, mark_ms = @mark, last_started_at_ms = @started`,
  );
  const finish = db.prepare(
    `UPDATE deal_poll SET mark_ms = coalesce(@mark, mark_ms), last_finished_at_ms = @finished, last_outcome = @outcome,
       last_error = @error, last_deals = @deals, last_messages = @messages, last_queries = @queries WHERE id = 1`,
  );
  return {
    get(): DealPollState | undefined {
      const row = read.get();
      return row === undefined ? undefined : fromRow(row);
    },
    /** The mark to poll from for this data source; a mark of another data source counts as none. */
    begin(dataSourceId: string, startedAtMs: number): number | undefined {
      const row = read.get();
      const markMs = row?.data_source_id === dataSourceId ? (row.mark_ms ?? undefined) : undefined;
      upsert.run({ ds: dataSourceId, mark: markMs ?? null, started: startedAtMs });
      return markMs;
    },
    finish(result: DealPollResult, finishedAtMs: number): void {
      finish.run({
        mark: result.outcome === "ok" ? result.markMs : null,
        finished: finishedAtMs,
        outcome: result.outcome,
        error: result.outcome === "failed" ? result.error : null,
        deals: result.deals,
        messages: result.messages,
        queries: result.queries,
      });
    },
  };
}

export type DealPollStore = ReturnType<typeof createDealPollStore>;

function fromRow(row: Row): DealPollState {
  return {
    dataSourceId: row.data_source_id,
    markMs: row.mark_ms ?? undefined,
    lastStartedAtMs: row.last_started_at_ms ?? undefined,
    lastFinishedAtMs: row.last_finished_at_ms ?? undefined,
    lastOutcome: row.last_outcome ?? undefined,
    lastError: row.last_error ?? undefined,
    lastDeals: row.last_deals ?? undefined,
    lastMessages: row.last_messages ?? undefined,
    lastQueries: row.last_queries ?? undefined,
  };
}
