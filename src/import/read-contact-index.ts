import { isFullPage, type PageObjectResponse, type QueryDataSourceParameters } from "@notionhq/client";
import type { Logger } from "../log/create-logger.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { contactEmail } from "./import-contact-properties.js";

/** Notion's largest page: the fewest calls to read every contact. */
export const INDEX_PAGE_SIZE = 100;

export type ContactIndex = {
  /** email -> the oldest contact with that email. */
  byEmail: Map<string, PageObjectResponse>;
  queries: number;
};

/**
 * Every contact, read once, oldest first (one query per 100). One query stops
 * after Notion's 10,000 results; the next then starts a window at the last
 * creation time seen, and pages read twice at the seam are kept once.
 */
export async function readContactIndex(
  notion: Pick<NotionGateway, "read">,
  { dataSourceId, propertyIds, logger }: { dataSourceId: string; propertyIds: string[]; logger: Logger },
): Promise<ContactIndex> {
  const byEmail = new Map<string, PageObjectResponse>();
  const seen = new Set<string>();
  let queries = 0;
  let from: string | undefined;
  for (;;) {
    let cursor: string | undefined;
    let capped = false;
    let fresh = 0;
    let last: PageObjectResponse | undefined;
    do {
      const params: QueryDataSourceParameters = {
        data_source_id: dataSourceId,
        sorts: [{ timestamp: "created_time", direction: "ascending" }],
        page_size: INDEX_PAGE_SIZE,
        filter_properties: propertyIds,
        ...(from !== undefined && { filter: { timestamp: "created_time", created_time: { on_or_after: from } } }),
        ...(cursor !== undefined && { start_cursor: cursor }),
      };
      const page = await notion.read("dataSources.query contacts index", (client) => client.dataSources.query(params));
      queries++;
      for (const result of page.results) {
        if (!isFullPage(result) || seen.has(result.id)) continue;
        seen.add(result.id);
        fresh++;
        last = result;
        const email = contactEmail(result);
        if (email !== undefined && !byEmail.has(email)) byEmail.set(email, result);
      }
      cursor = page.has_more ? (page.next_cursor ?? undefined) : undefined;
      capped = page.request_status?.type === "incomplete";
    } while (cursor !== undefined);
    if (!capped) return { byEmail, queries };
    if (fresh === 0 || last === undefined) {
      logger.warn({ read: seen.size }, "more contacts share one creation time than one Notion query returns");
      return { byEmail, queries };
    }
    from = last.created_time;
  }
}
