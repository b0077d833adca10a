import type { EmulatorAdmin, SeedDatabase, SeededDatabases } from "@notion-crm/notion-emulator";
import type { CrmDatabase } from "../../src/crm-schema/crm-schema.js";
import { CRM_DATABASE_CONFIGS } from "../../src/crm-schema/crm-database-configs.js";

const { contacts, deals, activities } = CRM_DATABASE_CONFIGS;

/**
 * The product's own database configs (what `npm run setup-notion` creates) in
 * the form the Notion emulator seeds, so a seeded emulator never drifts from a
 * real setup. Key order is creation order: Activities relates to Contacts.
 */
export const CRM_SEED = {
  contacts: { title: contacts.title, properties: contacts.properties("") },
  deals: { title: deals.title, properties: deals.properties("") },
  activities: {
    title: activities.title,
    properties: (dataSourceIdOf) => activities.properties(dataSourceIdOf("contacts")),
  },
} satisfies Record<CrmDatabase, SeedDatabase<CrmDatabase>>;

export type CrmSeed = SeededDatabases<CrmDatabase>;

/** The contract's Contacts, Deals and Activities under one new workspace page of the emulator. */
export function seedCrm(admin: EmulatorAdmin, opts: { parentTitle?: string } = {}): CrmSeed {
  return admin.seedDatabases(CRM_SEED, opts);
}
