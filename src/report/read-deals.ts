import type { NotionGateway } from "../notion/notion-gateway.js";
import { QUERY_PAGE_SIZE, queryWindowed } from "../notion/query-window.js";
import { toDealSnapshot, type DealSnapshot } from "./deal-snapshot.js";

/** Notion's largest page: one query per 100 deals. */
export const REPORT_QUERY_PAGE_SIZE = QUERY_PAGE_SIZE;

/**
 * Every deal in Deals, read once through the one windowed query: one query
 * per 100 deals, naming the properties the report reads, past Notion's
 * 10,000-result cap by windows on the creation time. Trashed deals are left out.
 */
export async function readDeals(
  notion: Pick<NotionGateway, "read">,
  target: { dataSourceId: string; readPropertyIds: readonly string[] },
): Promise<{ deals: DealSnapshot[]; queries: number }> {
  const rows = queryWindowed<string>(notion, {
    operation: "dataSources.query report deals",
    dataSourceId: target.dataSourceId,
    filterProperties: target.readPropertyIds,
    sorts: [{ timestamp: "created_time", direction: "ascending" }],
    filter: (from) =>
      from === undefined ? undefined : { timestamp: "created_time", created_time: { on_or_after: from } },
    startOf: (page) => page.created_time,
  });
  const deals: DealSnapshot[] = [];
  for await (const page of rows) if (!page.in_trash) deals.push(toDealSnapshot(page));
  return { deals, queries: rows.queries };
}
