import { isFullDatabase, type CreateDatabaseResponse, APIErrorCode } from "@notionhq/client";
import { checkCrmSchema, type CrmDatabaseIds } from "../notion/check-crm-schema.js";
import type { CrmDatabase } from "../crm-schema/crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { CRM_DATABASE_CONFIGS, CRM_DATABASE_ORDER } from "../crm-schema/crm-database-configs.js";
import { findCrmDatabases } from "./find-crm-databases.js";
import { ParentPageError } from "./parent-page-error.js";

export type SetUpDatabase = {
  databaseId: string;
  /** False when the database was already under the page and is reused. */
  created: boolean;
  /** Other databases under the page with the same title, left alone. */
  duplicates: string[];
};

export type CrmSetup = {
  databases: Partial<Record<CrmDatabase, SetUpDatabase>>;
  /** Schema problems, one line each; when there are any, the setup is not usable as it stands. */
  problems: string[];
};

/**
 * Creates Contacts, Deals and Activities under a page, reusing any of them
 * already there, so a second run (or a run after a partial failure) creates
 * only what is missing. A database found with the wrong schema is reported,
 * never duplicated: then nothing is created, since a person has to decide.
 */
export async function createCrmDatabases(notion: NotionGateway, parentPageId: string): Promise<CrmSetup> {
  const found = await findCrmDatabases(notion, parentPageId).catch((error: unknown) => {
    if (
      isNotionGatewayError(error) &&
      new Set<string>([APIErrorCode.ObjectNotFound, APIErrorCode.RestrictedResource]).has(
        error.details.notionCode ?? "",
      )
    ) {
      throw new ParentPageError(parentPageId, { cause: error });
    }
    throw error;
  });
  const databases: CrmSetup["databases"] = {};
  const ids: CrmDatabaseIds = {};
  for (const database of CRM_DATABASE_ORDER) {
    const [first, ...duplicates] = found[database];
    if (first === undefined) continue;
    databases[database] = { databaseId: first, created: false, duplicates };
    ids[database] = first;
  }

  const existing = Object.keys(ids).length === 0 ? undefined : await checkCrmSchema(notion, ids);
  if (existing !== undefined && existing.problems.length > 0) return { databases, problems: existing.problems };

  let contactsDataSourceId = existing?.dataSourceIds.contacts;
  for (const database of CRM_DATABASE_ORDER) {
    if (databases[database] !== undefined) continue;
    const created = await createDatabase(notion, parentPageId, database, contactsDataSourceId ?? "");
    databases[database] = { databaseId: created.id, created: true, duplicates: [] };
    ids[database] = created.id;
    if (database === "contacts")
      contactsDataSourceId = firstDataSourceId(created) ?? (await notion.dataSourceId(created.id));
  }

  // Proves the result as the server will see it, the Contact relation included.
  const final = await checkCrmSchema(notion, ids);
  return { databases, problems: final.problems };
}

function createDatabase(
  notion: NotionGateway,
  parentPageId: string,
  database: CrmDatabase,
  contactsDataSourceId: string,
): Promise<CreateDatabaseResponse> {
  const { title, properties } = CRM_DATABASE_CONFIGS[database];
  return notion.write(
    `databases.create ${title}`,
    (client) =>
      client.databases.create({
        parent: { type: "page_id", page_id: parentPageId },
        title: [{ type: "text", text: { content: title } }],
        initial_data_source: { properties: properties(contactsDataSourceId) },
      }),
    // The create may have landed before the connection failed: look again
    // rather than risk a second database with the same title.
    async (committedId) => {
      const id = committedId ?? (await findCrmDatabases(notion, parentPageId))[database][0];
      return id === undefined
        ? undefined
        : notion.read("databases.retrieve", (client) => client.databases.retrieve({ database_id: id }));
    },
  );
}

function firstDataSourceId(database: CreateDatabaseResponse): string | undefined {
  return isFullDatabase(database) ? database.data_sources[0]?.id : undefined;
}
