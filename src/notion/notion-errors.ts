/**
 * The gateway's failures, by what the caller should do next:
 * - `notion_unavailable`: Notion could not be reached or kept failing; try again later.
 * - `notion_rejected`: Notion refused the request (validation, permissions); sending it again will not help.
 * - `notion_write_ambiguous`: a write may or may not have happened and no way to tell was given.
 * - `notion_write_saved`: Notion saved the write but answered an error (503 with `retry_guidance`), and
 *   the record could not be read back yet: it must not be sent again; settle it by reading later.
 * - `notion_blocked`: Notion restricted this connection (429 `public_api_request_blocked`): nothing goes
 *   through until Notion support lifts it; the caller holds its work instead of retrying.
 */
export type NotionErrorCode =
  "notion_unavailable" | "notion_rejected" | "notion_write_ambiguous" | "notion_write_saved" | "notion_blocked";

export class NotionGatewayError extends Error {
  override readonly name = "NotionGatewayError";

  constructor(
    readonly code: NotionErrorCode,
    message: string,
    readonly details: {
      operation: string;
      status?: number;
      notionCode?: string;
      attempts: number;
      /** For `notion_write_saved`: the page Notion said it created, when it said. */
      committedResourceId?: string;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when the same work may succeed if tried again later. */
  get retryable(): boolean {
    return this.code !== "notion_rejected";
  }
}

export function isNotionGatewayError(error: unknown): error is NotionGatewayError {
  return error instanceof NotionGatewayError;
}

/** What a queue worker passes to retryOrBuryError: a gateway failure that may succeed later. */
export function isRetryableNotionError(error: unknown): boolean {
  return isNotionGatewayError(error) && error.retryable;
}

/** Notion blocked this connection: only Notion support can lift it. */
export function isConnectionBlocked(error: unknown): boolean {
  return isNotionGatewayError(error) && error.code === "notion_blocked";
}

/** Why a blocked connection cannot fix itself, in the words every message uses. */
export const CONNECTION_BLOCKED_FIX =
  "Notion has restricted this integration's connection (HTTP 429, rate_limit_reason public_api_request_blocked). " +
  "Waiting or retrying does not lift it: only Notion support can (https://www.notion.so/help, quoting the integration's name).";
