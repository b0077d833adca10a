import { SLACK_TIMEOUT_MS } from "./post-to-slack.js";
import { networkReason } from "../util/network-reason.js";
import { parseRetryAfterMs } from "../util/retry-after.js";

/**
 * The permanent errors that are not the message's but the route's: the
 * token, the app's scopes or the channel. Every message would meet them, so
 * the outbox holds its messages (and the operator is told) instead of
 * dead-lettering each one; they go out once Slack accepts them again.
 */
export const SLACK_ROUTE_ERRORS = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "no_permission",
  "org_login_required",
  "ekm_access_denied",
  "missing_scope",
  "not_allowed_token_type",
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "team_not_found",
  "team_access_not_granted",
  "access_denied",
]);

/**
 * Slack's `error` values that no retry can fix: the route's (above), and the
 * message's own, wrong until a person changes it.
 * https://api.slack.com/methods/chat.postMessage#errors
 */
export const PERMANENT_SLACK_API_ERRORS = new Set([
  ...SLACK_ROUTE_ERRORS,
  "restricted_action",
  "restricted_action_read_only_channel",
  "restricted_action_thread_only_channel",
  "restricted_action_non_threadable_channel",
  "cannot_reply_to_message",
  "msg_too_long",
  "no_text",
  "too_many_attachments",
  "invalid_blocks",
  "invalid_blocks_format",
  "invalid_arguments",
  "invalid_arg_name",
  "invalid_form_data",
  "invalid_post_type",
  "invalid_json",
  "json_not_object",
  "user_not_found",
  "users_not_found",
  "method_deprecated",
  "deprecated_endpoint",
  "messages_tab_disabled",
  "msg_blocks_too_long",
]);

/** A Web API call, classified: `ok` with the body and headers, or why not and whether to try again. */
export type SlackApiResult =
  | { ok: true; body: Record<string, unknown>; headers: Headers }
  | { ok: false; permanent: boolean; reason: string; error?: string; retryAfterMs?: number; route?: boolean };

export type SlackWebApi = {
  /** POST with a JSON body (write methods such as chat.postMessage). */
  post(method: string, body?: Record<string, unknown>): Promise<SlackApiResult>;
  /** GET with query parameters (read methods such as users.lookupByEmail). */
  get(method: string, params?: Record<string, string>): Promise<SlackApiResult>;
  /** POST form-encoded (methods that take no JSON, such as files.getUploadURLExternal). */
  form(method: string, params: Record<string, string>): Promise<SlackApiResult>;
  /** POSTs a file's bytes to the upload URL files.getUploadURLExternal gave (which carries its own authority: no token). */
  upload(url: string, bytes: Uint8Array): Promise<{ ok: true } | { ok: false; permanent: boolean; reason: string }>;
};

export type SlackWebApiOptions = {
  /** The bot token (xoxb-…); sent only in the Authorization header, never logged. */
  token: string;
  /** SLACK_API_URL, e.g. https://slack.com/api */
  apiUrl: string;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
};

/** Slack's Web API, one method call at a time. Never throws; the token never appears in a reason. */
export function createSlackWebApi({
  token,
  apiUrl,
  fetch = globalThis.fetch,
  timeoutMs = SLACK_TIMEOUT_MS,
}: SlackWebApiOptions): SlackWebApi {
  const base = apiUrl.replace(/\/+$/, "");
  async function call(method: string, init: RequestInit, query = ""): Promise<SlackApiResult> {
    let response: Response;
    try {
      response = await fetch(`${base}/${method}${query}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return { ok: false, permanent: false, reason: networkReason(error) ?? "network error" };
    }
    const text = await response.text().catch(() => "");
    if (response.status === 429) {
      const retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"));
      return {
        ok: false,
        permanent: false,
        reason: `${method}: rate_limited`,
        error: "ratelimited",
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      };
    }
    // A 4xx other than 429 means SLACK_API_URL or the request is wrong; 5xx is Slack having trouble.
    if (!response.ok) {
      return { ok: false, permanent: response.status < 500, reason: `${method}: HTTP ${response.status}` };
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { ok: false, permanent: false, reason: `${method}: the answer is not JSON` };
    }
    if (body["ok"] === true) return { ok: true, body, headers: response.headers };
    const error = typeof body["error"] === "string" ? body["error"] : "unknown_error";
    // missing_scope names the scope it needed: the one line a person needs to fix it.
    const needed = typeof body["needed"] === "string" ? ` (needs ${body["needed"]})` : "";
    return {
      ok: false,
      permanent: PERMANENT_SLACK_API_ERRORS.has(error),
      reason: `${method}: ${error}${needed}`,
      error,
      ...(SLACK_ROUTE_ERRORS.has(error) && { route: true }),
    };
  }

  return {
    post: (method, body = {}) =>
      call(method, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify(body),
      }),
    form: (method, params) =>
      call(method, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(params).toString(),
      }),
    async upload(url, bytes) {
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/octet-stream" },
          body: bytes,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.text().catch(() => "");
        if (response.ok) return { ok: true };
        return {
          ok: false,
          permanent: response.status < 500 && response.status !== 429,
          reason: `file upload: HTTP ${response.status}`,
        };
      } catch (error) {
        return { ok: false, permanent: false, reason: `file upload: ${networkReason(error)}` };
      }
    },
    get: (method, params = {}) => {
      const query = new URLSearchParams(params).toString();
      return call(method, { method: "GET" }, query === "" ? "" : `?${query}`);
    },
  };
}
