import type { CheckResult } from "./check-result.js";

const NAME = "Slack";
const SLACK_HOST = "hooks.slack.com";
const SLACK_PATH = /^\/services\/[^/]+\/[^/]+\/[^/]+$/;

/**
 * Judges the form of SLACK_WEBHOOK_URL without sending anything (a test
 * message would land in the team's channel). The URL is a secret: the
 * report names the setting, never its value.
 */
export function checkSlackUrl(url: string | undefined, { malformed = false } = {}): CheckResult {
  if (malformed) return { name: NAME, outcome: "skip", detail: "SLACK_WEBHOOK_URL is malformed (see Settings)" };
  if (url === undefined)
    return {
      name: NAME,
      outcome: "warn",
      detail: "SLACK_WEBHOOK_URL is not set: messages go to the log instead of Slack",
    };
  const parsed = new URL(url);
  if (parsed.hostname !== SLACK_HOST) {
    return {
      name: NAME,
      outcome: "warn",
      detail: `SLACK_WEBHOOK_URL is not on ${SLACK_HOST}: fine for a relay or a stand-in, otherwise copy the URL Slack's Incoming Webhooks page shows`,
    };
  }
  if (parsed.protocol !== "https:" || !SLACK_PATH.test(parsed.pathname)) {
    return {
      name: NAME,
      outcome: "fail",
      detail: `SLACK_WEBHOOK_URL must look like https://${SLACK_HOST}/services/T…/B…/…; copy it again from Slack's Incoming Webhooks page`,
    };
  }
  return { name: NAME, outcome: "pass", detail: "SLACK_WEBHOOK_URL is a Slack incoming-webhook URL" };
}
