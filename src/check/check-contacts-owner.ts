import { CONTACT } from "../crm-schema/crm-schema.js";
import { checkCrmSchema } from "../notion/check-crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { CheckResult } from "./check-result.js";

const NAME = "Slack app";

/** Whether the digest can message each owner their own stale leads: Contacts' optional Owner (people). */
export async function checkContactsOwner(notion: NotionGateway, contactsDatabaseId: string): Promise<CheckResult> {
  let type: string | undefined;
  try {
    type = (await checkCrmSchema(notion, { contacts: contactsDatabaseId })).propertyTypes.contacts?.[CONTACT.owner];
  } catch (error) {
    if (!isNotionGatewayError(error)) throw error;
    return { name: NAME, outcome: "skip", detail: `Contacts' Owner property was not checked: ${error.message}` };
  }
  if (type === "people") {
    return {
      name: NAME,
      outcome: "pass",
      detail: `Contacts has an "${CONTACT.owner}" (people) property: the digest also messages each owner their own stale leads`,
    };
  }
  if (type !== undefined) {
    return {
      name: NAME,
      outcome: "warn",
      detail: `Contacts' "${CONTACT.owner}" property is ${type}, not people: the digest goes to the channel only`,
    };
  }
  return {
    name: NAME,
    outcome: "pass",
    detail: `Contacts has no "${CONTACT.owner}" (people) property: the digest goes to the channel only (add one to message each owner their stale leads)`,
  };
}
