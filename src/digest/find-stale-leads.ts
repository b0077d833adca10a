import type { Logger } from "../log/create-logger.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { NotionPerson } from "../notion/people-of.js";
import type { ChoiceType } from "../notion/property-values.js";
import { queryWindowed } from "../notion/query-window.js";
import { compareStaleness, toStaleLead, type StaleLead } from "./stale-lead.js";
import { staleLeadFilter, WINDOW_SORTS, type WindowStart } from "./stale-lead-filter.js";

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
};

/**
 * Reads every stale lead through the windowed query (past Notion's 10,000
 * results a query). Every row is read anyway for the count, so the stalest
 * are picked here rather than by a Notion sort, which would put
 * never-contacted last.
 */
export async function findStaleLeads(
  notion: Pick<NotionGateway, "read">,
  options: FindStaleLeadsOptions,
): Promise<StaleLeads> {
  const { dataSourceId, statusType, logger, listed = STALEST_LISTED } = options;
  const cutoff = options.cutoff.toISOString();
  let stalest: StaleLead[] = [];
  const owned = new Map<string, OwnerStaleLeads>();
  let from: WindowStart | undefined;
  const rows = queryWindowed<WindowStart>(notion, {
    operation: "dataSources.query stale leads",
    dataSourceId,
    filterProperties: options.readPropertyIds,
    sorts: WINDOW_SORTS,
    filter: (start) => staleLeadFilter({ statusType, cutoff, ...(start && { from: start }) }),
    startOf: (row) => {
      const lead = toStaleLead(row);
      return { createdTime: lead.createdTime, lastContacted: lead.lastContacted };
    },
    onNewWindow(start, counted) {
      from = start;
      logger.info({ counted, from }, "Notion's per-query result limit reached; continuing with a new window");
    },
  });
  for await (const row of rows) {
    const lead = toStaleLead(row);
    stalest = keepStalest(stalest, lead, listed);
    for (const owner of lead.owners ?? []) {
      const mine = owned.get(owner.id) ?? { owner, count: 0, stalest: [] };
      mine.count++;
      mine.stalest = keepStalest(mine.stalest, lead, listed);
      owned.set(owner.id, mine);
    }
  }
  const byOwner = owned.size === 0 ? {} : { byOwner: [...owned.values()] };
  if (!rows.complete) {
    logger.warn(
      { counted: rows.rows, at: from },
      "more stale leads share one creation minute and Last Contacted than one Notion query returns; the count is a lower bound",
    );
  }
  return { count: rows.rows, stalest, complete: rows.complete, ...byOwner };
}

function keepStalest(stalest: StaleLead[], lead: StaleLead, size: number): StaleLead[] {
  const worst = stalest.at(-1);
  if (stalest.length >= size && worst !== undefined && compareStaleness(lead, worst) >= 0) return stalest;
  return [...stalest, lead].sort(compareStaleness).slice(0, size);
}
