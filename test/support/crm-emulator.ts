import { createNotionEmulator, type NotionEmulator, type NotionEmulatorOptions } from "@notion-crm/notion-emulator";
import { seedCrm } from "../../scripts/lib/crm-seed.js";

export type CrmEmulator = {
  emulator: NotionEmulator;
  /** Database ids of the seeded Contacts, Deals and Activities. */
  databases: { contacts: string; deals: string; activities: string };
  dataSources: { contacts: string; deals: string; activities: string };
  /** The settings that point the server or a command at this emulator's three databases. */
  notionEnv(): Record<string, string>;
  stop(): Promise<void>;
};

/** A started emulator holding the contract's three databases. */
export async function startCrmEmulator(options: NotionEmulatorOptions = {}): Promise<CrmEmulator> {
  // As Notion-Version 2026-12-01 does: a query that does not name the properties it reads gets only titles.
  const emulator = createNotionEmulator({
    rateLimitPerSecond: Infinity,
    titleOnlyUnlessFilterProperties: true,
    ...options,
  });
  const seeded = seedCrm(emulator.admin);
  await emulator.start();
  return {
    emulator,
    databases: {
      contacts: seeded.contacts.databaseId,
      deals: seeded.deals.databaseId,
      activities: seeded.activities.databaseId,
    },
    dataSources: {
      contacts: seeded.contacts.dataSourceId,
      deals: seeded.deals.dataSourceId,
      activities: seeded.activities.dataSourceId,
    },
    notionEnv: () => ({
      NOTION_TOKEN: emulator.token,
      NOTION_BASE_URL: emulator.url,
      NOTION_CONTACTS_DB_ID: seeded.contacts.databaseId,
      NOTION_DEALS_DB_ID: seeded.deals.databaseId,
      NOTION_ACTIVITIES_DB_ID: seeded.activities.databaseId,
    }),
    stop: () => emulator.stop(),
  };
}
