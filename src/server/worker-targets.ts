import type { LeadTargets } from "../leads/lead-worker.js";
import type { DealsTarget } from "../deal-webhooks/process-deal-events.js";
import type { CrmSchemaReport } from "../notion/check-crm-schema.js";
import { CRM_SCHEMA } from "../notion/crm-schema.js";
import { propertyIdsOf } from "../notion/filter-properties.js";

// Where the workers write and read, known once the schema check has passed.
export function leadTargets(schema: CrmSchemaReport): LeadTargets {
  return {
    contacts: {
      dataSourceId: schema.dataSourceIds.contacts!,
      statusType: schema.propertyTypes.contacts?.Status === "status" ? "status" : "select",
      readPropertyIds: propertyIdsOf(
        schema,
        "contacts",
        CRM_SCHEMA.contacts.properties.map((property) => property.name),
      ),
    },
    activitiesDataSourceId: schema.dataSourceIds.activities,
  };
}

export function dealsTarget(databaseId: string | undefined, schema: CrmSchemaReport): DealsTarget | undefined {
  const dataSourceId = schema.dataSourceIds.deals;
  if (databaseId === undefined || dataSourceId === undefined) return undefined;
  return {
    databaseId,
    dataSourceId,
    stagePropertyId: schema.properties.deals?.Stage?.id,
    valueFormat: schema.properties.deals?.Value?.numberFormat,
  };
}
