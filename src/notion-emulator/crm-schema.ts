import { CRM_DATABASE_CONFIGS } from "../setup/crm-database-configs.js";

// The product's own configs (what `npm run setup-notion` creates), so the
// emulator's seeded CRM can never drift from a real setup. This is the shape
// `crmSchema` always had for the emulator's callers.
const { contacts, deals, activities } = CRM_DATABASE_CONFIGS;

/** The contract's three databases in POST /v1/databases form (Activities needs the Contacts data source id). */
export const crmSchema = {
  contacts: { title: contacts.title, properties: contacts.properties("") },
  deals: { title: deals.title, properties: deals.properties("") },
  activities: { title: activities.title, properties: activities.properties },
} as const;
