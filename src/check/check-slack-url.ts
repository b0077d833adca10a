import {
  isUsableSlackWebhookUrl,
  SLACK_WEBHOOK_HOST as SLACK_HOST,
  SLACK_WEBHOOK_URL_PROBLEM,
} from "../config/slack-webhook-url.js";
import type { CheckResult } from "./check-result.js";

const NAME = "Slack";

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
  if (!isUsableSlackWebhookUrl(url)) {
    return { name: NAME, outcome: "fail", detail: `SLACK_WEBHOOK_URL ${SLACK_WEBHOOK_URL_PROBLEM}` };
  }
  if (new URL(url).hostname !== SLACK_HOST) {
    return {
      name: NAME,
      outcome: "warn",
      detail: `SLACK_WEBHOOK_URL is not on ${SLACK_HOST}: fine for a relay or a stand-in, otherwise copy the URL Slack's Incoming Webhooks page shows`,
    };
  }
  return { name: NAME, outcome: "pass", detail: "SLACK_WEBHOOK_URL is a Slack incoming-webhook URL" };
}
