import { APIErrorCode } from "@notionhq/client";
import { ConfigError } from "../config/config-error.js";
import { NotionSchemaError } from "./check-crm-schema.js";
import { isNotionGatewayError } from "./notion-errors.js";

/** A failure as a short message a person can act on, instead of a stack trace. */
export function describeFailure(error: unknown): string {
  if (error instanceof ConfigError)
    return error.problems.map((problem) => `Configuration error: ${problem}`).join("\n");
  if (error instanceof NotionSchemaError) return error.message;
  if (isNotionGatewayError(error)) {
    if (error.details.notionCode === APIErrorCode.Unauthorized)
      return "Notion refused the token (NOTION_TOKEN): check that it is the integration's secret.";
    return `Notion error: ${error.message}`;
  }
  return `Error: ${error instanceof Error ? error.message : String(error)}`;
}
