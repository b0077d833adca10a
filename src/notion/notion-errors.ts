/**
 * The gateway's failures, by what the caller should do next:
 * - `notion_unavailable`: Notion could not be reached or kept failing; try again later.
 * - `notion_rejected`: Notion refused the request (validation, permissions); sending it again will not help.
 * - `notion_write_ambiguous`: a write may or may not have happened and no way to tell was given.
 */
export type NotionErrorCode = "notion_unavailable" | "notion_rejected" | "notion_write_ambiguous";

export class NotionGatewayError extends Error {
  override readonly name = "NotionGatewayError";

  constructor(
    readonly code: NotionErrorCode,
    message: string,
    readonly details: { operation: string; status?: number; notionCode?: string; attempts: number },
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
