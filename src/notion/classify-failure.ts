import { APIResponseError, isHTTPResponseError, RequestTimeoutError } from "@notionhq/client";
import { isLocalStoreError } from "../store/local-store-error.js";
import { networkReason } from "../util/network-reason.js";
import { parseRetryAfterMs } from "../util/retry-after.js";

/**
 * What a failed request tells us:
 * - `throttled`: Notion refused before doing anything (429, 529); wait Retry-After, send again.
 * - `not_sent`: Notion applied nothing (connection refused, DNS, or a 409 conflict); safe to send again.
 * - `ambiguous`: Notion may have applied it (5xx, proxy error pages, timeouts, dropped connections).
 * - `blocked`: Notion restricted this connection (429 `public_api_request_blocked`); no retry helps, only Notion support.
 * - `saved`: a write Notion saved although it answered an error (503 with `retry_guidance`); never send it again.
 * - `permanent`: sending it again cannot succeed (4xx).
 */
export type Failure =
  | { kind: "throttled"; retryAfterMs: number | undefined; reason: string | undefined; status: number }
  | { kind: "blocked"; reason: string; status: number }
  | { kind: "saved"; reason: string; status: number; committedResourceId?: string; guidance: string }
  | { kind: "not_sent"; reason: string }
  | { kind: "ambiguous"; reason: string; status?: number; committedResourceId?: string }
  | { kind: "permanent"; reason: string; status?: number; notionCode?: string; message?: string };

/** Notion's `rate_limit_reason` for a connection it has restricted: retrying never helps. */
export const CONNECTION_BLOCKED_REASON = "public_api_request_blocked";
const NOT_SENT_ERRNOS = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export function classifyFailure(error: unknown): Failure {
  if (isHTTPResponseError(error)) {
    const { status } = error;
    const notionCode = APIResponseError.isAPIResponseError(error) ? error.code : undefined;
    const data = additionalData(error);
    const rateLimitReason = stringField(data["rate_limit_reason"]);
    if (rateLimitReason === CONNECTION_BLOCKED_REASON || String(notionCode) === CONNECTION_BLOCKED_REASON) {
      return { kind: "blocked", reason: CONNECTION_BLOCKED_REASON, status };
    }
    if (status === 429 || status === 529) {
      return {
        kind: "throttled",
        retryAfterMs: retryAfterOf(error.headers, data),
        reason: rateLimitReason ?? notionCode ?? `HTTP ${status}`,
        status,
      };
    }
    // Notion: a conflict_error saved nothing (another edit collided with it); try again.
    if (status === 409) return { kind: "not_sent", reason: notionCode ?? "HTTP 409" };
    const committedResourceId = stringField(data["committed_resource_id"]);
    // Notion: the write was saved although the answer is an error ("Do not repeat the write").
    const guidance = stringField(data["retry_guidance"]);
    if (status >= 500 && guidance !== undefined) {
      return {
        kind: "saved",
        reason: notionCode ?? `HTTP ${status}`,
        status,
        guidance,
        ...(committedResourceId && { committedResourceId }),
      };
    }
    if (status >= 500 || status === 408) {
      return {
        kind: "ambiguous",
        reason: notionCode ?? `HTTP ${status}`,
        status,
        ...(committedResourceId && { committedResourceId }),
      };
    }
    return {
      kind: "permanent",
      reason: notionCode ?? `HTTP ${status}`,
      status,
      ...(notionCode && { notionCode, message: error.message }),
    };
  }
  if (RequestTimeoutError.isRequestTimeoutError(error) || isAbortTimeout(error)) {
    return { kind: "ambiguous", reason: "timeout" };
  }
  // The shared rate bucket's SQLite file was locked or full: the request never left.
  if (isLocalStoreError(error)) return { kind: "not_sent", reason: "local state file unavailable" };
  const errno = networkReason(error);
  if (errno !== undefined) {
    return NOT_SENT_ERRNOS.has(errno) ? { kind: "not_sent", reason: errno } : { kind: "ambiguous", reason: errno };
  }
  // A response that is not JSON at all (a proxy's HTML page that said 200) lands here too.
  if (error instanceof SyntaxError) return { kind: "ambiguous", reason: "unreadable response" };
  return { kind: "permanent", reason: error instanceof Error ? error.message : String(error) };
}

/** How long Notion asked us to wait: the Retry-After header, or `additional_data.retry_after` in the body. */
export function retryAfterOf(headers: unknown, data: Record<string, unknown>): number | undefined {
  return parseRetryAfterMs(headerValue(headers, "retry-after")) ?? parseRetryAfterMs(data["retry_after"]);
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  if (headers !== null && typeof headers === "object") {
    const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
    return typeof entry?.[1] === "string" ? entry[1] : undefined;
  }
  return undefined;
}

// The SDK types additional_data as strings, but Notion's JSON may carry numbers (retry_after).
function additionalData(error: { additional_data?: unknown }): Record<string, unknown> {
  const data = error.additional_data;
  return data !== null && typeof data === "object" ? (data as Record<string, unknown>) : {};
}

function stringField(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function isAbortTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}
