import type { PageObjectResponse } from "@notionhq/client";
import type { Logger } from "../log/create-logger.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { queryWindowed } from "../notion/query-window.js";
import { contactEmail } from "./import-contact-properties.js";

export type ContactIndex = {
  /** email -> the oldest contact with that email. */
  byEmail: Map<string, PageObjectResponse>;
  queries: number;
  /** When the index was read: a contact written since (the shared contact cache says) is read afresh. */
  readAtMs: number;
};

/** Every contact, read once, oldest first, through the windowed query (one query per 100). */
export async function readContactIndex(
  notion: Pick<NotionGateway, "read">,
  {
    dataSourceId,
    propertyIds,
    logger,
    now = Date.now,
  }: { dataSourceId: string; propertyIds: string[]; logger: Logger; now?: () => number },
): Promise<ContactIndex> {
  const readAtMs = now();
  const byEmail = new Map<string, PageObjectResponse>();
  const rows = queryWindowed<string>(notion, {
    operation: "dataSources.query contacts index",
    dataSourceId,
    filterProperties: propertyIds,
    sorts: [{ timestamp: "created_time", direction: "ascending" }],
    filter: (from) =>
      from === undefined ? undefined : { timestamp: "created_time", created_time: { on_or_after: from } },
    startOf: (page) => page.created_time,
  });
  for await (const page of rows) {
    const email = contactEmail(page);
    if (email !== undefined && !byEmail.has(email)) byEmail.set(email, page);
  }
  if (!rows.complete) {
    logger.warn({ read: rows.rows }, "more contacts share one creation time than one Notion query returns");
  }
  return { byEmail, queries: rows.queries, readAtMs };
}
