import { CONTACT } from "../crm-schema/crm-schema.js";
import type { WorkerTargets } from "../notion/worker-targets.js";
import type { CrmSchemaReport } from "../notion/check-crm-schema.js";
import type { ClickTargets } from "./apply-click.js";

/** Where clicks write, from the checked schema: Claim needs Owner (people), Snooze writes Snoozed Until (date) when there is one. */
export function clickTargets(report: CrmSchemaReport, targets: WorkerTargets): ClickTargets {
  const types = report.propertyTypes.contacts ?? {};
  return {
    contacts: targets.leads.contacts,
    activitiesDataSourceId: targets.leads.activitiesDataSourceId,
    ownerProperty: types[CONTACT.owner] === "people",
    snoozedUntilProperty: types[CONTACT.snoozedUntil] === "date",
  };
}
