import { createNotionEmulator, type NotionEmulator, type NotionEmulatorOptions } from "../../src/notion-emulator/create-notion-emulator.js";

export type CrmEmulator = {
  emulator: NotionEmulator;
  /** Database ids of the seeded Contacts, Deals and Activities. */
  databases: { contacts: string; deals: string; activities: string };
  dataSources: { contacts: string; deals: string; activities: string };
  stop(): Promise<void>;
};

/** A started emulator holding the contract's three databases. */
export async function startCrmEmulator(options: NotionEmulatorOptions = {}): Promise<CrmEmulator> {
  const emulator = createNotionEmulator({ rateLimitPerSecond: Infinity, ...options });
  const seeded = emulator.admin.seedCrm({});
  await emulator.start();
  return {
    emulator,
    databases: { contacts: seeded.contacts.databaseId, deals: seeded.deals.databaseId, activities: seeded.activities.databaseId },
    dataSources: { contacts: seeded.contacts.dataSourceId, deals: seeded.deals.dataSourceId, activities: seeded.activities.dataSourceId },
    stop: () => emulator.stop(),
  };
}
