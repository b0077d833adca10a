import { APIErrorCode } from "@notionhq/client";
import { CONNECTION_BLOCKED_FIX, isConnectionBlocked, isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { CheckResult } from "./check-result.js";

const NAME = "Notion";

/**
 * GET /v1/users/me: the cheapest call that proves both that Notion answers
 * and that it accepts the token, and tells the two failures apart.
 */
export async function checkNotionAccess(notion: Pick<NotionGateway, "read">, baseUrl: string): Promise<CheckResult> {
  try {
    const me = await notion.read("users.me", (client) => client.users.me({}));
    const who = "name" in me && typeof me.name === "string" && me.name !== "" ? ` (integration "${me.name}")` : "";
    return { name: NAME, outcome: "pass", detail: `reachable at ${baseUrl}; the token is accepted${who}` };
  } catch (error) {
    if (!isNotionGatewayError(error)) throw error;
    if (isConnectionBlocked(error)) {
      return {
        name: NAME,
        outcome: "fail",
        detail: `Notion at ${baseUrl} blocked this connection. ${CONNECTION_BLOCKED_FIX}`,
      };
    }
    if (error.details.notionCode === APIErrorCode.Unauthorized) {
      return {
        name: NAME,
        outcome: "fail",
        detail: `Notion at ${baseUrl} refused the token: NOTION_TOKEN is not a valid integration secret`,
      };
    }
    if (error.code === "notion_unavailable") {
      return {
        name: NAME,
        outcome: "fail",
        detail: `cannot reach Notion at ${baseUrl} (NOTION_BASE_URL): ${withRootCause(error)}`,
      };
    }
    return { name: NAME, outcome: "fail", detail: `Notion at ${baseUrl} answered with an error: ${error.message}` };
  }
}

// undici says only "fetch failed"; the reason (a refused port, a TLS error) is in its cause.
function withRootCause(error: Error): string {
  let root: unknown = error;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  const reason = root instanceof Error ? root.message : "";
  return reason === "" || error.message.includes(reason) ? error.message : `${error.message} (${reason})`;
}
