import { APIErrorCode } from "@notionhq/client";
import { isNotionGatewayError } from "./notion-errors.js";

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
