import { isFullPage } from "@notionhq/client";
import type { Logger } from "../log/create-logger.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { NotionPerson } from "../notion/people-of.js";
import type { ChoiceType } from "../notion/property-values.js";
import { compareStaleness, toStaleLead, type StaleLead } from "./stale-lead.js";
import { staleLeadFilter, WINDOW_SORTS, type WindowStart } from "./stale-lead-filter.js";

/** Notion's largest page: the fewest calls to read every row. */
export const QUERY_PAGE_SIZE = 100;
export const STALEST_LISTED = 10;

export type StaleLeads = {
  /** Every stale lead, each counted once. */
  count: number;
  /** The stalest, stalest first. */
  stalest: StaleLead[];
  /**
   * False only when more rows than one query may return share a creation
   * minute and a Last Contacted value: no filter can split them, so `count`
   * is a lower bound.
   */
  complete: boolean;
  /** Contacts with an Owner: each owner's stale leads (their count, their stalest). Absent when no lead has one. */
  byOwner?: OwnerStaleLeads[];
};

export type OwnerStaleLeads = { owner: NotionPerson; count: number; stalest: StaleLead[] };

export type FindStaleLeadsOptions = {
  dataSourceId: string;
  statusType: ChoiceType;
  /** The ids of the properties a stale lead is read from (`filter_properties`): see STALE_LEAD_PROPERTIES. */
  readPropertyIds: readonly string[];
  /** Leads last contacted before this instant are stale. */
  cutoff: Date;
  logger: Logger;
  listed?: number;
  /** Leads left out (snoozed from Slack): neither counted nor listed. */
  skip?: ((pageId: string) => boolean) | undefined;
};

/**
 * Reads every stale lead, page by page. One query stops after Notion's
 * result limit (10,000) with `request_status` incomplete; the next query
 * then starts a new window at the last row seen (the idea of the SDK's
 * `iterateAllDataSourceRows`), and rows read twice at the seam are counted
 * once. Every row is read anyway for the count, so the stalest are picked
 * here rather than by a Notion sort, which would put never-contacted last.
 */
export async function findStaleLeads(
  notion: Pick<NotionGateway, "read">,
  options: FindStaleLeadsOptions,
): Promise<StaleLeads> {
  const { dataSourceId, statusType, logger, listed = STALEST_LISTED } = options;
  const cutoff = options.cutoff.toISOString();
  const seen = new Set<string>();
  let stalest: StaleLead[] = [];
  const owned = new Map<string, OwnerStaleLeads>();
  let from: WindowStart | undefined;
  for (;;) {
    const filter = staleLeadFilter({ statusType, cutoff, ...(from && { from }) });
    let cursor: string | undefined;
    let last: StaleLead | undefined;
    let fresh = 0;
    let capped = false;
    do {
      const page = await notion.read("dataSources.query stale leads", (client) =>
        client.dataSources.query({
          data_source_id: dataSourceId,
          filter,
          sorts: WINDOW_SORTS,
          page_size: QUERY_PAGE_SIZE,
          filter_properties: [...options.readPropertyIds],
          ...(cursor && { start_cursor: cursor }),
        }),
      );
      for (const result of page.results) {
        if (!isFullPage(result)) continue;
        last = toStaleLead(result);
        if (seen.has(last.id) || options.skip?.(last.id)) continue;
        seen.add(last.id);
        fresh++;
        stalest = keepStalest(stalest, last, listed);
        for (const owner of last.owners ?? []) {
          const mine = owned.get(owner.id) ?? { owner, count: 0, stalest: [] };
          mine.count++;
          mine.stalest = keepStalest(mine.stalest, last, listed);
          owned.set(owner.id, mine);
        }
      }
      cursor = page.has_more ? (page.next_cursor ?? undefined) : undefined;
      // Notion may say so on an earlier page than the last; once said, it holds (as in the SDK's iterator).
      capped ||= page.request_status?.type === "incomplete";
    } while (cursor !== undefined);

    const byOwner = owned.size === 0 ? {} : { byOwner: [...owned.values()] };
    if (!capped) return { count: seen.size, stalest, complete: true, ...byOwner };
    if (fresh === 0 || last === undefined) {
      logger.warn(
        { counted: seen.size, at: from },
        "more stale leads share one creation minute and Last Contacted than one Notion query returns; the count is a lower bound",
      );
      return { count: seen.size, stalest, complete: false, ...byOwner };
    }
    from = { createdTime: last.createdTime, lastContacted: last.lastContacted };
    logger.info({ counted: seen.size, from }, "Notion's per-query result limit reached; continuing with a new window");
  }
}

function keepStalest(stalest: StaleLead[], lead: StaleLead, size: number): StaleLead[] {
  const worst = stalest.at(-1);
  if (stalest.length >= size && worst !== undefined && compareStaleness(lead, worst) >= 0) return stalest;
  return [...stalest, lead].sort(compareStaleness).slice(0, size);
}
