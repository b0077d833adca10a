import { APIErrorCode } from "@notionhq/client";
import type { HoldCause } from "./create-hold.js";
import { CONNECTION_BLOCKED_FIX, isNotionGatewayError } from "./notion-errors.js";

/**
 * Notion refuses creates: 403 `restricted_resource` answered to a create.
 * It means a Free workspace with more than one member has used its 1,000
 * blocks (https://developers.notion.com/reference/workspace-block-limits),
 * or the integration lacks the Insert content capability. Keyed on the
 * status and the code: Notion does not document the message's wording.
 * Callers ask it only of a create's failure.
 */
export function isCreateRefused(error: unknown): boolean {
  return (
    isNotionGatewayError(error) &&
    error.code === "notion_rejected" &&
    error.details.status === 403 &&
    error.details.notionCode === APIErrorCode.RestrictedResource
  );
}

/** Both causes of the refusal, and the fix for each, in the words every message uses. */
export const CREATES_REFUSED_CAUSES =
  "Either the Notion workspace is on the Free plan with more than one member and has used its 1,000 blocks " +
  "(fix: upgrade the workspace's plan, or remove members so one is left), or the integration lacks the " +
  "*Insert content* capability (fix: Notion → Settings → Connections → your integration → Capabilities → Insert content).";

/**
 * Notion no longer lets this integration in after start, which no retry of
 * one lead can fix: 401 (the token was revoked) on any request, or 404
 * `object_not_found` on a request to the configured data source (a query
 * or a create under it: the database was unshared). A 404 for one page
 * (deleted, trashed) is not this: callers handle that page alone.
 */
export function accessLostCause(error: unknown): "unauthorized" | "unshared" | undefined {
  if (!isNotionGatewayError(error) || error.code !== "notion_rejected") return undefined;
  const { status, notionCode, operation } = error.details;
  if (status === 401 || notionCode === "unauthorized") return "unauthorized";
  if (status === 404 && notionCode === "object_not_found" && DATA_SOURCE_OPERATION.test(operation)) return "unshared";
  return undefined;
}

// The contact writer's and the activity writer's requests against a data source.
const DATA_SOURCE_OPERATION = /^(query |pages\.create )/;

/** What the operator is told for each cause of a hold: what Notion does, its answer, and the fix. */
export const HOLD_CAUSES = {
  creates_refused: {
    title: "*Notion refuses to create pages*",
    status: "HTTP 403 restricted_resource",
    fix: CREATES_REFUSED_CAUSES,
  },
  connection_blocked: {
    title: "*Notion has blocked this integration*",
    status: "HTTP 429 public_api_request_blocked",
    fix: CONNECTION_BLOCKED_FIX,
  },
  unauthorized: {
    title: "*Notion refuses the token*",
    status: "HTTP 401",
    fix:
      "The integration's secret was revoked or regenerated. " +
      "Fix: put the current secret in NOTION_TOKEN and restart the server (`npm run check` tests it).",
  },
  unshared: {
    title: "*Notion no longer finds the Contacts database*",
    status: "HTTP 404",
    fix:
      "It was unshared from the integration, moved or deleted. " +
      "Fix: in Notion open the database → ••• → Connections → add your integration (`npm run check` tests it).",
  },
} as const satisfies Record<HoldCause, { title: string; status: string; fix: string }>;
