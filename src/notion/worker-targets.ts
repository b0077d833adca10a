import type { CrmSchemaReport } from "./check-crm-schema.js";
import { propertyIdsOf } from "./filter-properties.js";
import type { ChoiceType } from "./property-values.js";
import { CONTACT, CRM_SCHEMA, DEAL, type CrmDatabase } from "../crm-schema/crm-schema.js";

// The targets are defined here, beside the schema check they come from, so
// that no feature defines them and crm-schema (plain names and options, below
// notion) imports nothing of notion; the workers re-export them.

/** The Contacts data source a worker reads and writes. */
export type ContactsTarget = {
  dataSourceId: string;
  statusType: ChoiceType;
  /** The ids of the Contacts properties a lookup reads (`filter_properties`). */
  readPropertyIds: readonly string[];
  /** Source's options when the schema was checked (a /form post may not add just any). */
  sourceOptions?: readonly string[] | undefined;
};

/** Where leads go in Notion, known once the schema check has passed. */
export type LeadTargets = {
  contacts: ContactsTarget;
  activitiesDataSourceId?: string | undefined;
};

/** The Deals database and data source the deal worker reads. */
export type DealsTarget = {
  databaseId: string;
  dataSourceId: string;
  stagePropertyId: string | undefined;
  valueFormat: string | undefined;
  /** The ids of the properties a deal alert reads (Stage, Deal Name, Value, Owner), for `filter_properties`. */
  readPropertyIds?: readonly string[];
};

export type WorkerTargets = {
  /** Where the lead worker writes contacts and activities. */
  leads: LeadTargets;
  /** Where the deal worker reads deals; undefined unless Deals is configured and checked. */
  deals: DealsTarget | undefined;
  /** The Contacts data source the digest reads, and whether it has the optional Owner (people) property. */
  digest: ContactsTarget & { ownerProperty: boolean };
};

/**
 * Where the workers write and read, known once the schema check has passed:
 * the one place that turns a checked schema into data source ids, property
 * ids and whether Status is a select or a status.
 */
export function workerTargets(schema: CrmSchemaReport, dealsDatabaseId?: string): WorkerTargets {
  const contactsDataSourceId = schema.dataSourceIds.contacts;
  // Every caller checks Contacts: the server and the digest both need it.
  if (contactsDataSourceId === undefined) throw new Error("workerTargets needs a schema report that checked Contacts");
  const contacts: ContactsTarget = {
    dataSourceId: contactsDataSourceId,
    statusType: choiceType(schema, "contacts", CONTACT.status),
    readPropertyIds: propertyIdsOf(
      schema,
      "contacts",
      CRM_SCHEMA.contacts.properties.map((property) => property.name),
    ),
    sourceOptions: schema.properties.contacts?.[CONTACT.source]?.options,
  };
  const dealsDataSourceId = schema.dataSourceIds.deals;
  return {
    leads: { contacts, activitiesDataSourceId: schema.dataSourceIds.activities },
    deals:
      dealsDatabaseId === undefined || dealsDataSourceId === undefined
        ? undefined
        : {
            databaseId: dealsDatabaseId,
            dataSourceId: dealsDataSourceId,
            stagePropertyId: schema.properties.deals?.[DEAL.stage]?.id,
            valueFormat: schema.properties.deals?.[DEAL.value]?.numberFormat,
            readPropertyIds: [DEAL.stage, DEAL.name, DEAL.value, DEAL.owner].flatMap((name) => {
              const id = schema.properties.deals?.[name]?.id;
              return id === undefined ? [] : [id];
            }),
          },
    digest: { ...contacts, ownerProperty: schema.propertyTypes.contacts?.[CONTACT.owner] === "people" },
  };
}

/** Status and Stage may be a select or a status property; the checked schema says which. */
function choiceType(schema: CrmSchemaReport, database: CrmDatabase, property: string): ChoiceType {
  return schema.propertyTypes[database]?.[property] === "status" ? "status" : "select";
}
