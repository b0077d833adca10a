import { isFullBlock } from "@notionhq/client";
import type { CrmDatabase } from "../crm-schema/crm-schema.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { CRM_DATABASE_CONFIGS, CRM_DATABASE_ORDER } from "../crm-schema/crm-database-configs.js";

/** Ids of the databases under a page whose title is one of ours, in the page's order. */
export type FoundCrmDatabases = Record<CrmDatabase, string[]>;

const PAGE_SIZE = 100;

/**
 * Lists the page's child_database blocks (every page of them) and picks out
 * Contacts, Deals and Activities by title. A database's block carries the
 * database's id, so no further lookup is needed.
 */
export async function findCrmDatabases(
  notion: Pick<NotionGateway, "read">,
  parentPageId: string,
): Promise<FoundCrmDatabases> {
  const found: FoundCrmDatabases = { contacts: [], deals: [], activities: [] };
  const byTitle = new Map(CRM_DATABASE_ORDER.map((database) => [CRM_DATABASE_CONFIGS[database].title, database]));
  let cursor: string | undefined;
  do {
    const page = await notion.read("blocks.children.list", (client) =>
      client.blocks.children.list({
        block_id: parentPageId,
        page_size: PAGE_SIZE,
        ...(cursor !== undefined && { start_cursor: cursor }),
      }),
    );
    for (const block of page.results) {
      if (!isFullBlock(block) || block.type !== "child_database" || block.in_trash) continue;
      const database = byTitle.get(block.child_database.title.trim());
      if (database !== undefined) found[database].push(block.id);
    }
    cursor = page.has_more ? (page.next_cursor ?? undefined) : undefined;
  } while (cursor !== undefined);
  return found;
}
