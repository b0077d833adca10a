import type { SlackMessage } from "./slack-message.js";
import { networkReason } from "../util/network-reason.js";
import { parseRetryAfterMs } from "../util/retry-after.js";

export const SLACK_TIMEOUT_MS = 10_000;

// The webhook itself is gone or barred (revoked, its channel archived or removed):
// every message would meet it, so the outbox holds rather than dead-letters.
const ROUTE_ERRORS = new Set([
  "no_service",
  "no_team",
  "channel_not_found",
  "channel_is_archived",
  "action_prohibited",
  "posting_to_general_channel_denied",
  "invalid_token",
]);

// Slack answers these when the message or the webhook itself is wrong; sending
// again cannot help. https://api.slack.com/messaging/webhooks#handling_errors
const PERMANENT_ERRORS = new Set([...ROUTE_ERRORS, "invalid_payload"]);

export type SlackResult =
  | { ok: true }
  | { ok: false; permanent: false; reason: string; retryAfterMs?: number }
  /** `route`: the token, webhook or channel is refused, not this message: hold, do not dead-letter. */
  | { ok: false; permanent: true; reason: string; route?: boolean };

/** One POST to an incoming webhook, classified. Never throws; the URL never appears in a reason. */
export async function postToSlack(
  webhookUrl: string,
  message: SlackMessage,
  { fetch = globalThis.fetch, timeoutMs = SLACK_TIMEOUT_MS } = {},
): Promise<SlackResult> {
  let response: Response;
  try {
    response = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { ok: false, permanent: false, reason: networkReason(error) ?? "network error" };
  }
  const body = (await response.text().catch(() => "")).trim().slice(0, 200);
  if (response.ok) return { ok: true };
  if (response.status === 429) {
    const retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"));
    return {
      ok: false,
      permanent: false,
      reason: "rate_limited",
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    };
  }
  if (response.status >= 500) return { ok: false, permanent: false, reason: `HTTP ${response.status} ${body}`.trim() };
  if (PERMANENT_ERRORS.has(body) || (response.status >= 400 && response.status < 500)) {
    return {
      ok: false,
      permanent: true,
      reason: `HTTP ${response.status} ${body}`.trim(),
      ...((ROUTE_ERRORS.has(body) || response.status === 404 || response.status === 410) && { route: true }),
    };
  }
  return { ok: false, permanent: false, reason: `HTTP ${response.status} ${body}`.trim() };
}
