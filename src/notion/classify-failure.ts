import { APIResponseError, isHTTPResponseError, RequestTimeoutError } from "@notionhq/client";
import { isLocalStoreError } from "../store/local-store-error.js";

/**
 * What a failed request tells us:
 * - `throttled`: Notion refused before doing anything (429, 529); wait Retry-After, send again.
 * - `not_sent`: Notion applied nothing (connection refused, DNS, or a 409 conflict); safe to send again.
 * - `ambiguous`: Notion may have applied it (5xx, proxy error pages, timeouts, dropped connections).
 * - `permanent`: sending it again cannot succeed (4xx, or a block Notion says never to retry).
 */
export type Failure =
  | { kind: "throttled"; retryAfterMs: number | undefined; reason: string | undefined; status: number }
  | { kind: "not_sent"; reason: string }
  | { kind: "ambiguous"; reason: string; status?: number; committedResourceId?: string }
  | { kind: "permanent"; reason: string; status?: number; notionCode?: string; message?: string };

// Notion: a request blocked this way must never be retried.
const NEVER_RETRY_REASONS = new Set(["public_api_request_blocked"]);
const NOT_SENT_ERRNOS = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export function classifyFailure(error: unknown): Failure {
  if (isHTTPResponseError(error)) {
    const { status } = error;
    const notionCode = APIResponseError.isAPIResponseError(error) ? error.code : undefined;
    const rateLimitReason = stringField(error.additional_data?.rate_limit_reason);
    if (NEVER_RETRY_REASONS.has(rateLimitReason ?? "") || NEVER_RETRY_REASONS.has(notionCode ?? "")) {
      return {
        kind: "permanent",
        reason: rateLimitReason ?? String(notionCode),
        status,
        ...(notionCode && { notionCode }),
      };
    }
    if (status === 429 || status === 529) {
      return { kind: "throttled", retryAfterMs: parseRetryAfter(error.headers), reason: rateLimitReason, status };
    }
    // Notion: a conflict_error saved nothing (another edit collided with it); try again.
    if (status === 409) return { kind: "not_sent", reason: notionCode ?? "HTTP 409" };
    if (status >= 500 || status === 408) {
      const committedResourceId = stringField(error.additional_data?.committed_resource_id);
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
  const errno = networkErrorCode(error);
  if (errno !== undefined) {
    return NOT_SENT_ERRNOS.has(errno) ? { kind: "not_sent", reason: errno } : { kind: "ambiguous", reason: errno };
  }
  // A response that is not JSON at all (a proxy's HTML page that said 200) lands here too.
  if (error instanceof SyntaxError) return { kind: "ambiguous", reason: "unreadable response" };
  return { kind: "permanent", reason: error instanceof Error ? error.message : String(error) };
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(headers: unknown): number | undefined {
  const value = headerValue(headers, "retry-after");
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  if (headers !== null && typeof headers === "object") {
    const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
    return typeof entry?.[1] === "string" ? entry[1] : undefined;
  }
  return undefined;
}

function stringField(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function isAbortTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

// undici reports network failures as `TypeError: fetch failed` with the
// system error (or an undici socket error) as its cause.
function networkErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (code.startsWith("E") || code.startsWith("UND_ERR"))) return code;
  }
  return error instanceof TypeError && error.message === "fetch failed" ? "fetch failed" : undefined;
}
