import type { SlackMessage } from "../slack/slack-message.js";
import type { SlackOutbox } from "../slack/slack-outbox.js";

/**
 * The one way an operator alert leaves the server: queued in the Slack
 * outbox's alerts channel (SLACK_ALERTS_WEBHOOK_URL or SLACK_ALERTS_CHANNEL;
 * the log when neither is set, never the sales channel). The key makes an
 * alert go out once, even when two processes raise it at once; true when it
 * was queued now, false when that key was queued before.
 */
export function queueOperatorMessage(
  outbox: Pick<SlackOutbox, "enqueue">,
  message: SlackMessage,
  key: string,
): boolean {
  return !outbox.enqueue(message, key, "alerts").duplicate;
}
