import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { NAMELESS_PERSON } from "../slack/person-mention.js";
import type { CheckResult } from "./check-result.js";

const NAME = "Notion users";

export const USER_INFORMATION_HOW_TO =
  'turn on "Read user information" under the integration\'s Capabilities (Notion: Settings → Connections → Develop or manage integrations → your integration)';

/**
 * Whether the integration may read users: without the "Read user
 * information" capability Notion sends people without names, and a deal
 * alert can only say "someone" for its owner. GET /v1/users needs it.
 */
export async function checkUserInformation(notion: Pick<NotionGateway, "read">): Promise<CheckResult> {
  try {
    await notion.read("users.list", (client) => client.users.list({ page_size: 1 }));
    return {
      name: NAME,
      outcome: "pass",
      detail: "the integration can read user information: deal alerts name owners",
    };
  } catch (error) {
    if (!isNotionGatewayError(error) || error.code !== "notion_rejected") throw error;
    return {
      name: NAME,
      outcome: "warn",
      detail: `the integration cannot read user information, so deal alerts say "${NAMELESS_PERSON}" instead of the owner's name: ${USER_INFORMATION_HOW_TO}`,
    };
  }
}
