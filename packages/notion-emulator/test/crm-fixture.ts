import type { NotionEmulator, SeedDatabase, SeededDatabases } from "../src/index.js";

const options = (names: readonly string[]) => names.map((name) => ({ name }));

type CrmDatabase = "contacts" | "deals" | "activities";

/**
 * A CRM-shaped workspace for the emulator's own tests: Contacts, Deals and
 * Activities (which relates to Contacts). Only test data: the emulator knows
 * no schema, and the product seeds its own definitions (scripts/lib/crm-seed.ts).
 */
export const CRM_FIXTURE = {
  contacts: {
    title: "Contacts",
    properties: {
      Name: { title: {} },
      Email: { email: {} },
      Company: { rich_text: {} },
      Status: { select: { options: options(["new lead", "contacted", "qualified", "customer", "lost"]) } },
      Source: { select: { options: options(["website"]) } },
      "Last Contacted": { date: {} },
      Notes: { rich_text: {} },
    },
  },
  deals: {
    title: "Deals",
    properties: {
      "Deal Name": { title: {} },
      Stage: { select: { options: options(["new", "qualified", "proposal", "negotiation", "won", "lost"]) } },
      Value: { number: { format: "dollar" } },
      Owner: { people: {} },
    },
  },
  activities: {
    title: "Activities",
    properties: (dataSourceIdOf) => ({
      Name: { title: {} },
      Contact: {
        relation: { data_source_id: dataSourceIdOf("contacts"), type: "single_property", single_property: {} },
      },
      Type: { select: { options: options(["Form submission", "Call", "Email", "Meeting"]) } },
      Date: { date: {} },
      Notes: { rich_text: {} },
    }),
  },
} satisfies Record<CrmDatabase, SeedDatabase<CrmDatabase>>;

export type CrmSeed = SeededDatabases<CrmDatabase>;

/** Contacts, Deals and Activities under one new workspace page. */
export function seedCrm(emulator: NotionEmulator, opts: { parentTitle?: string } = {}): CrmSeed {
  return emulator.admin.seedDatabases(CRM_FIXTURE, opts);
}
