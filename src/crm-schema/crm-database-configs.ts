import type { CreateDatabaseParameters } from "@notionhq/client";
import {
  ACTIVITY,
  ACTIVITY_TYPES,
  CONTACT,
  CONTACT_STATUSES,
  DEAL,
  DEAL_STAGES,
  DEFAULT_SOURCE,
  type CrmDatabase,
} from "./crm-schema.js";

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
 * The contract's three databases (docs/reference.md, "The Notion schema") in the form
 * POST /v1/databases takes, in the order they must be created. Status and
 * Stage are selects: the API cannot create the options of a status property.
 * The Contact relation is single_property so Contacts keeps exactly the
 * contract's properties; a person can show it on Contacts later in Notion.
 */
export const CRM_DATABASE_CONFIGS: Readonly<Record<CrmDatabase, CrmDatabaseConfig>> = {
  contacts: {
    title: "Contacts",
    properties: () => ({
      [CONTACT.name]: { title: {} },
      [CONTACT.email]: { email: {} },
      [CONTACT.company]: { rich_text: {} },
      [CONTACT.status]: { select: { options: options(CONTACT_STATUSES) } },
      [CONTACT.source]: { select: { options: options([DEFAULT_SOURCE]) } },
      [CONTACT.lastContacted]: { date: {} },
      [CONTACT.notes]: { rich_text: {} },
    }),
  },
  deals: {
    title: "Deals",
    properties: () => ({
      [DEAL.name]: { title: {} },
      [DEAL.stage]: { select: { options: options(DEAL_STAGES) } },
      [DEAL.value]: { number: { format: "dollar" } },
      [DEAL.owner]: { people: {} },
    }),
  },
  activities: {
    title: "Activities",
    properties: (contactsDataSourceId) => ({
      [ACTIVITY.name]: { title: {} },
      [ACTIVITY.contact]: {
        relation: { data_source_id: contactsDataSourceId, type: "single_property", single_property: {} },
      },
      [ACTIVITY.type]: { select: { options: options(ACTIVITY_TYPES) } },
      [ACTIVITY.date]: { date: {} },
      [ACTIVITY.notes]: { rich_text: {} },
    }),
  },
};

/** Creation order: Activities needs the Contacts data source to exist. */
export const CRM_DATABASE_ORDER: readonly CrmDatabase[] = ["contacts", "deals", "activities"];
