import type { PageObjectResponse } from "@notionhq/client";
import type { Logger } from "../log/create-logger.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { queryWindowed } from "../notion/query-window.js";
import type { DealPollResult, DealPollStore } from "./deal-poll-store.js";
import type { DealsTarget } from "./process-deal-events.js";
import { LEARN_SILENTLY, settleDealPage, type FirstSighting, type SettleDealDependencies } from "./settle-deal-page.js";

/**
 * How far before the mark each poll looks again. Notion rounds
 * last_edited_time down to the minute and compares the filter with that, so
 * an edit at 12:00:50 reads as 12:00:00: one minute covers the rounding, a
 * second covers our clock against Notion's and a query index that lags an edit.
 */
export const DEAL_POLL_OVERLAP_MS = 2 * 60_000;

export type PollDealsDependencies = SettleDealDependencies & {
  notion: Pick<NotionGateway, "read">;
  polls: DealPollStore;
  logger: Logger;
  now?: () => number;
};

export type PollDealsResult = DealPollResult & { cause?: unknown };

/**
 * One poll: every deal edited since the mark (minus the overlap), oldest
 * edit first, each through the same stage comparison as a webhook event.
 * The first poll of a data source has no mark: it reads every deal and only
 * learns the stages. The mark moves only when the whole poll succeeded, so a
 * failed poll is done again, in full, next time. Never throws.
 */
export async function pollDeals(deps: PollDealsDependencies, deals: DealsTarget): Promise<PollDealsResult> {
  const { notion, polls, logger, now = Date.now } = deps;
  const startedAtMs = now();
  const markMs = polls.begin(deals.dataSourceId, startedAtMs);
  const since = markMs === undefined ? undefined : new Date(markMs - DEAL_POLL_OVERLAP_MS).toISOString();
  const counts = { deals: 0, messages: 0, queries: 0 };

  function firstSighting(page: PageObjectResponse): FirstSighting {
    // A deal created since the last look is a new deal; one never seen otherwise is only learned.
    if (since === undefined) return LEARN_SILENTLY;
    return page.created_time >= since ? { changed: true, from: undefined } : LEARN_SILENTLY;
  }

  try {
    const rows = queryWindowed<string>(notion, {
      operation: "dataSources.query deal poll",
      dataSourceId: deals.dataSourceId,
      // Only what a deal alert reads: smaller answers, and required by newer Notion-Versions.
      filterProperties: deals.readPropertyIds ?? [],
      sorts: [{ timestamp: "last_edited_time", direction: "ascending" }],
      from: since,
      filter: (from) =>
        from === undefined ? undefined : { timestamp: "last_edited_time", last_edited_time: { on_or_after: from } },
      startOf: (page) => page.last_edited_time,
    });
    try {
      for await (const page of rows) {
        counts.deals++;
        const outcome = settleDealPage(deps, page, {
          firstSighting: firstSighting(page),
          valueFormat: deals.valueFormat,
        });
        if (outcome === "notified") counts.messages++;
      }
    } finally {
      counts.queries = rows.queries;
    }
    if (!rows.complete) {
      logger.warn(
        { from: since, read: counts.deals },
        "more deals share one edit minute than one Notion query returns; some were not read",
      );
    }
  } catch (error) {
    const result: PollDealsResult = {
      outcome: "failed",
      error: error instanceof Error ? error.message : String(error),
      ...counts,
      cause: error,
    };
    polls.finish(result, now());
    return result;
  }
  const result: PollDealsResult = { outcome: "ok", markMs: startedAtMs, ...counts };
  polls.finish(result, now());
  return result;
}
