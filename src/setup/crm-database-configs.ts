import type { CreateDatabaseParameters } from "@notionhq/client";
import { CONTACT_STATUSES, DEAL_STAGES, FORM_SUBMISSION_ACTIVITY, type CrmDatabase } from "../notion/crm-schema.js";

/** A property configuration as POST /v1/databases takes it in `initial_data_source.properties`. */
export type PropertyConfigRequest = NonNullable<
  NonNullable<CreateDatabaseParameters["initial_data_source"]>["properties"]
>[string];
export type PropertyConfigs = Record<string, PropertyConfigRequest>;

export type CrmDatabaseConfig = {
  readonly title: string;
  /** Activities relates to Contacts, so its properties need the Contacts data source id. */
  readonly properties: (contactsDataSourceId: string) => PropertyConfigs;
};

const options = (names: readonly string[]) => names.map((name) => ({ name }));

/**
 * The contract's three databases (CONTRACT.md, "Notion schema") in the form
 * POST /v1/databases takes, in the order they must be created. Status and
 * Stage are selects: the API cannot create the options of a status property.
 * The Contact relation is single_property so Contacts keeps exactly the
 * contract's properties; a person can show it on Contacts later in Notion.
 */
export const CRM_DATABASE_CONFIGS: Readonly<Record<CrmDatabase, CrmDatabaseConfig>> = {
  contacts: {
    title: "Contacts",
    properties: () => ({
      Name: { title: {} },
      Email: { email: {} },
      Company: { rich_text: {} },
      Status: { select: { options: options(CONTACT_STATUSES) } },
      Source: { select: { options: options(["website"]) } },
      "Last Contacted": { date: {} },
      Notes: { rich_text: {} },
    }),
  },
  deals: {
    title: "Deals",
    properties: () => ({
      "Deal Name": { title: {} },
      Stage: { select: { options: options(DEAL_STAGES) } },
      Value: { number: { format: "dollar" } },
      Owner: { people: {} },
    }),
  },
  activities: {
    title: "Activities",
    properties: (contactsDataSourceId) => ({
      Name: { title: {} },
      Contact: { relation: { data_source_id: contactsDataSourceId, type: "single_property", single_property: {} } },
      Type: { select: { options: options([FORM_SUBMISSION_ACTIVITY, "Call", "Email", "Meeting"]) } },
      Date: { date: {} },
      Notes: { rich_text: {} },
    }),
  },
};

/** Creation order: Activities needs the Contacts data source to exist. */
export const CRM_DATABASE_ORDER: readonly CrmDatabase[] = ["contacts", "deals", "activities"];
