import type { PropertyConfigRequest } from "./notion-types.js";

type Schema = Record<string, PropertyConfigRequest>;

const options = (...names: string[]) => names.map((name) => ({ name }));

/**
 * The contract's three databases (CONTRACT.md, "Notion schema"), in the form
 * POST /v1/databases takes. Activities relates to Contacts, so its schema needs
 * the Contacts data source id.
 */
export const crmSchema = {
  contacts: {
    title: "Contacts",
    properties: {
      Name: { title: {} },
      Email: { email: {} },
      Company: { rich_text: {} },
      Status: { select: { options: options("new lead", "contacted", "qualified", "customer", "lost") } },
      Source: { select: { options: options("website") } },
      "Last Contacted": { date: {} },
      Notes: { rich_text: {} },
    } satisfies Schema,
  },
  deals: {
    title: "Deals",
    properties: {
      "Deal Name": { title: {} },
      Stage: { select: { options: options("new", "qualified", "proposal", "negotiation", "won", "lost") } },
      Value: { number: { format: "dollar" } },
      Owner: { people: {} },
    } satisfies Schema,
  },
  activities: {
    title: "Activities",
    properties: (contactsDataSourceId: string): Schema => ({
      Name: { title: {} },
      Contact: { relation: { data_source_id: contactsDataSourceId, type: "single_property", single_property: {} } },
      Type: { select: { options: options("Form submission") } },
      Date: { date: {} },
      Notes: { rich_text: {} },
    }),
  },
} as const;
