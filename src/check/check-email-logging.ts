import type { Config } from "../config/load-config.js";
import { CONTACT } from "../crm-schema/crm-schema.js";
import { checkCrmSchema } from "../notion/check-crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { CheckResult } from "./check-result.js";

const NAME = "Email logging";

type EmailSettings = Pick<Config, "TEAM_EMAIL_DOMAINS" | "INBOUND_EMAIL_SECRET" | "MAILGUN_SIGNING_KEY">;

/**
 * Which /inbound-email/* routes can take mail: on only with
 * TEAM_EMAIL_DOMAINS; postmark and raw need INBOUND_EMAIL_SECRET, mailgun
 * MAILGUN_SIGNING_KEY (a route without its secret refuses every delivery).
 */
export function checkEmailRoutes(config: EmailSettings): CheckResult {
  if (config.TEAM_EMAIL_DOMAINS === undefined) {
    return {
      name: NAME,
      outcome: "skip",
      detail: "off: TEAM_EMAIL_DOMAINS is not set (the /inbound-email/* routes answer 404)",
    };
  }
  const on = [
    ...(config.INBOUND_EMAIL_SECRET === undefined ? [] : ["/inbound-email/raw", "/inbound-email/postmark"]),
    ...(config.MAILGUN_SIGNING_KEY === undefined ? [] : ["/inbound-email/mailgun"]),
  ];
  const team = `team: ${config.TEAM_EMAIL_DOMAINS.join(", ")}`;
  if (on.length === 0) {
    return {
      name: NAME,
      outcome: "warn",
      detail: `${team}, but neither INBOUND_EMAIL_SECRET nor MAILGUN_SIGNING_KEY is set: every email is refused (401/403)`,
    };
  }
  const missing = [
    ...(config.INBOUND_EMAIL_SECRET === undefined ? ["INBOUND_EMAIL_SECRET (raw, postmark)"] : []),
    ...(config.MAILGUN_SIGNING_KEY === undefined ? ["MAILGUN_SIGNING_KEY (mailgun)"] : []),
  ];
  return {
    name: NAME,
    outcome: "pass",
    detail: `${team}; taking mail at ${on.join(", ")}${missing.length === 0 ? "" : `; not set: ${missing.join(", ")}`}`,
  };
}

/**
 * A logged email sets a `new lead` to STATUS_CONTACTED. A select gets a new
 * option when one is written; a status property cannot (the API cannot add
 * status options), so a missing one would dead-letter every sent email.
 */
export async function checkContactedStatus(
  notion: NotionGateway,
  contactsDatabaseId: string,
  statusContacted: string,
): Promise<CheckResult> {
  let status;
  try {
    status = (await checkCrmSchema(notion, { contacts: contactsDatabaseId })).properties.contacts?.[CONTACT.status];
  } catch (error) {
    if (!isNotionGatewayError(error)) throw error;
    return { name: NAME, outcome: "skip", detail: `Contacts' Status was not checked: ${error.message}` };
  }
  if (status?.type !== "status") {
    return {
      name: NAME,
      outcome: "pass",
      detail: `a lead the team writes to becomes "${statusContacted}" (STATUS_CONTACTED)`,
    };
  }
  if (status.options?.includes(statusContacted)) {
    return { name: NAME, outcome: "pass", detail: `Status has the option "${statusContacted}" (STATUS_CONTACTED)` };
  }
  return {
    name: NAME,
    outcome: "warn",
    detail:
      `Contacts' Status (a status property) has no option "${statusContacted}" (STATUS_CONTACTED): ` +
      "add it in Notion (status options cannot be created through the API), or set STATUS_CONTACTED to one it has; " +
      "until then a logged email to a new lead is refused by Notion",
  };
}
