/** Where Slack's incoming webhooks live. */
export const SLACK_WEBHOOK_HOST = "hooks.slack.com";
const SLACK_WEBHOOK_PATH = /^\/services\/[^/]+\/[^/]+\/[^/]+$/;

export const SLACK_WEBHOOK_URL_PROBLEM = `must look like https://${SLACK_WEBHOOK_HOST}/services/T…/B…/…; copy it again from Slack's Incoming Webhooks page`;

/**
 * Whether a URL on Slack's webhook host is one Slack would take: https and
 * /services/T…/B…/…. The one rule for the server (which refuses to start
 * on it) and `npm run check`. A URL on another host passes: a relay or a
 * test stand-in.
 */
export function isUsableSlackWebhookUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.hostname !== SLACK_WEBHOOK_HOST) return true;
  return parsed.protocol === "https:" && SLACK_WEBHOOK_PATH.test(parsed.pathname);
}
