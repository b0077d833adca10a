import { isFullPage, type QueryDataSourceParameters } from "@notionhq/client";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { toDealSnapshot, type DealSnapshot } from "./deal-snapshot.js";

/** Notion's largest page: one query per 100 deals. */
export const REPORT_QUERY_PAGE_SIZE = 100;

/**
 * Every deal in Deals, read once: one query per 100 deals, naming the
 * properties the report reads. Notion stops one query after 10,000 results
 * (`request_status` incomplete); the next query then starts a new window at
 * the last creation time read, and deals read twice at the seam count once.
 */
export async function readDeals(
  notion: Pick<NotionGateway, "read">,
  target: { dataSourceId: string; readPropertyIds: readonly string[] },
): Promise<{ deals: DealSnapshot[]; queries: number }> {
  const byId = new Map<string, DealSnapshot>();
  let queries = 0;
  let from: string | undefined;
  for (;;) {
    let cursor: string | undefined;
    let capped = false;
    let last: string | undefined;
    do {
      const params: QueryDataSourceParameters = {
        data_source_id: target.dataSourceId,
        ...(from !== undefined && { filter: { timestamp: "created_time", created_time: { on_or_after: from } } }),
        sorts: [{ timestamp: "created_time", direction: "ascending" }],
        page_size: REPORT_QUERY_PAGE_SIZE,
        filter_properties: [...target.readPropertyIds],
        ...(cursor !== undefined && { start_cursor: cursor }),
      };
      const page = await notion.read("dataSources.query report deals", (client) => client.dataSources.query(params));
      queries++;
      for (const result of page.results) {
        if (!isFullPage(result) || result.in_trash) continue;
        byId.set(result.id, toDealSnapshot(result));
        last = result.created_time;
      }
      cursor = page.has_more ? (page.next_cursor ?? undefined) : undefined;
      capped ||= page.request_status?.type === "incomplete";
    } while (cursor !== undefined);
    if (!capped || last === undefined || last === from) return { deals: [...byId.values()], queries };
    from = last;
  }
}
