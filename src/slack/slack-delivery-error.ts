import type { OutboxItem } from "./slack-outbox.js";

/** How a delivery error names the message, its fix, and who delivers it later. */
export type SlackDeliveryWords = {
  /** What Slack did not take: "stale-lead digest", "pipeline report". */
  what: string;
  /** The Slack app's scopes as the fix names them: "its scopes", "its scopes such as files:write". */
  scopes: string;
  /** What to do once the cause is fixed: "run again", "run again with --force". */
  runAgain: string;
  /** The Slack senders on the same DATA_DIR that deliver a queued message later. */
  laterSenders: string;
};

/**
 * A command's message (the digest, the report) was built but Slack did not take it:
 * - `slack_undelivered`: still queued in the outbox; a Slack sender on the
 *   same DATA_DIR delivers it later.
 * - `slack_refused`: Slack refused it for good (dead), or refused the
 *   webhook, token or channel (held until the fix: `npm run check` or
 *   `npm run jobs -- retry-slack` sends it).
 */
export class SlackDeliveryError extends Error {
  override readonly name = "SlackDeliveryError";
  readonly code: "slack_undelivered" | "slack_refused";

  constructor(
    readonly item: OutboxItem,
    { what, scopes, runAgain, laterSenders }: SlackDeliveryWords,
  ) {
    const said = item.lastError === undefined ? "" : ` (last answer: ${item.lastError})`;
    const held = item.state === "queued" && item.heldSinceMs !== undefined;
    super(
      held
        ? `Slack refused the ${what}${said}; it is held in the outbox. Fix SLACK_WEBHOOK_URL (or, for a Slack app, SLACK_BOT_TOKEN, SLACK_CHANNEL and ${scopes}), then run \`npm run check\`: once its Slack checks pass, the held message goes out (or \`npm run jobs -- retry-slack\`).`
        : item.state === "dead"
          ? `Slack refused the ${what}${said}; it is kept as dead in the outbox. Fix SLACK_WEBHOOK_URL (or, for a Slack app, SLACK_BOT_TOKEN, SLACK_CHANNEL and ${scopes}: \`npm run check\` names the problem), then ${runAgain}.`
          : `Slack did not accept the ${what} after ${item.attempts} attempts${said}; it stays queued in the outbox and a Slack sender on the same DATA_DIR (${laterSenders}) delivers it later.`,
    );
    this.code = held || item.state === "dead" ? "slack_refused" : "slack_undelivered";
  }
}

/** A message that Slack did not take yet and that a Slack sender keeps retrying. */
export function isSlackUndelivered(error: unknown): error is SlackDeliveryError {
  return error instanceof SlackDeliveryError && error.code === "slack_undelivered";
}
