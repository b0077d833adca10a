import type { OutboxItem } from "../slack/slack-outbox.js";

/**
 * The digest was built but Slack did not take it:
 * - `slack_undelivered`: still queued in the outbox; a Slack sender on the
 *   same DATA_DIR delivers it later, and so does another run today.
 * - `slack_refused`: Slack refused it for good (dead), or refused the
 *   webhook, token or channel (held until the fix: `npm run check` or
 *   `npm run jobs -- retry-slack` sends it).
 */
export class DigestDeliveryError extends Error {
  override readonly name = "DigestDeliveryError";
  readonly code: "slack_undelivered" | "slack_refused";

  constructor(readonly item: OutboxItem) {
    const said = item.lastError === undefined ? "" : ` (last answer: ${item.lastError})`;
    const held = item.state === "queued" && item.heldSinceMs !== undefined;
    super(
      held
        ? `Slack refused the stale-lead digest${said}; it is held in the outbox. Fix SLACK_WEBHOOK_URL (or, for a Slack app, SLACK_BOT_TOKEN, SLACK_CHANNEL and its scopes), then run \`npm run check\`: once its Slack checks pass, the held digest goes out (or \`npm run jobs -- retry-slack\`).`
        : item.state === "dead"
          ? `Slack refused the stale-lead digest${said}; it is kept as dead in the outbox. Fix SLACK_WEBHOOK_URL (or, for a Slack app, SLACK_BOT_TOKEN, SLACK_CHANNEL and its scopes: \`npm run check\` names the problem), then run again with --force.`
          : `Slack did not accept the stale-lead digest after ${item.attempts} attempts${said}; it stays queued in the outbox and a Slack sender on the same DATA_DIR (the server, \`npm run stale-leads\`, or the next --once run today) delivers it later.`,
    );
    this.code = held || item.state === "dead" ? "slack_refused" : "slack_undelivered";
  }
}
