import type { OutboxItem } from "../slack/slack-outbox.js";

/**
 * The report was built but Slack did not take it:
 * - `slack_undelivered`: still queued in the outbox; any Slack sender on the
 *   same DATA_DIR (the server, `npm run report` staying up) delivers it later.
 * - `slack_refused`: Slack refused it for good (a wrong URL, token or scope).
 */
export class ReportDeliveryError extends Error {
  override readonly name = "ReportDeliveryError";
  readonly code: "slack_undelivered" | "slack_refused";

  constructor(readonly item: OutboxItem) {
    const said = item.lastError === undefined ? "" : ` (last answer: ${item.lastError})`;
    super(
      item.state === "dead"
        ? `Slack refused the pipeline report${said}; it is kept as dead in the outbox. Fix SLACK_WEBHOOK_URL (or, for a Slack app, SLACK_BOT_TOKEN, SLACK_CHANNEL and its scopes such as files:write: \`npm run check\` names the problem), then run again.`
        : `Slack did not accept the pipeline report after ${item.attempts} attempts${said}; it stays queued in the outbox and a Slack sender on the same DATA_DIR (the server, or \`npm run report\` staying up) delivers it later.`,
    );
    this.code = item.state === "dead" ? "slack_refused" : "slack_undelivered";
  }
}
