import { isFullDatabase, APIErrorCode } from "@notionhq/client";
import type { Logger } from "../log/create-logger.js";
import { isNotionGatewayError, NotionGatewayError } from "./notion-errors.js";
import type { NotionGateway } from "./notion-gateway.js";

/**
 * Since Notion-Version 2025-09-03 (and so on 2026-03-11) a database holds data sources, and pages
 * and queries address the data source. A pasted data source id is accepted
 * too: people copy whichever id the Notion UI shows them.
 */
export async function resolveDataSourceId(
  notion: Pick<NotionGateway, "read">,
  databaseId: string,
  log: Logger,
): Promise<string> {
  try {
    const database = await notion.read("databases.retrieve", (client) =>
      client.databases.retrieve({ database_id: databaseId }),
    );
    const [first, ...others] = isFullDatabase(database) ? database.data_sources : [];
    if (first === undefined) {
      throw new NotionGatewayError(
        "notion_rejected",
        `database ${databaseId} has no data source the integration can see`,
        { operation: "databases.retrieve", attempts: 1 },
      );
    }
    if (others.length > 0) {
      log.warn(
        { databaseId, dataSourceId: first.id, ignored: others.map((source) => source.id) },
        "database has several data sources; using the first",
      );
    }
    return first.id;
  } catch (error) {
    if (!isNotionGatewayError(error) || error.details.notionCode !== APIErrorCode.ObjectNotFound) throw error;
    const dataSource = await notion
      .read("dataSources.retrieve", (client) => client.dataSources.retrieve({ data_source_id: databaseId }))
      .catch(() => undefined);
    if (dataSource !== undefined) return dataSource.id;
    throw error;
  }
}
