import type { AreaDependencies, CrmArea } from "./crm-area.js";
import { createSlackOutbox, type SlackOutbox } from "../slack/slack-outbox.js";
import { createSlackSender, type SlackAppDelivery } from "../slack/slack-sender.js";

export type SlackArea = CrmArea & {
  /** Where other areas queue their messages. */
  readonly outbox: SlackOutbox;
  /** Tells the sender a message was queued. */
  notify(): void;
};

export type SlackAreaOptions = {
  /** Unset: messages are written to the log instead of sent. */
  webhookUrl: string | undefined;
  /** Where operator alerts go; unset: `webhookUrl`. */
  alertsWebhookUrl?: string | undefined;
  /** App mode (see slackAppFromConfig): wins over the webhook. */
  app?: SlackAppDelivery | undefined;
  /** App mode: SLACK_ALERTS_CHANNEL. */
  alertsChannel?: string | undefined;
  retryBaseMs?: number | undefined;
};

/** Slack: a durable outbox and the sender that drains it. It needs nothing from Notion, so it starts with the server. */
export function wireSlack({ db, logger }: AreaDependencies, options: SlackAreaOptions): SlackArea {
  const outbox = createSlackOutbox(db);
  const sender = createSlackSender({
    outbox,
    db,
    webhookUrl: options.webhookUrl,
    alertsWebhookUrl: options.alertsWebhookUrl,
    app: options.app,
    alertsChannel: options.alertsChannel,
    logger,
    ...(options.retryBaseMs !== undefined && { retryBaseMs: options.retryBaseMs }),
  });
  return {
    routes: [],
    outbox,
    notify: () => sender.notify(),
    start: () => sender.start(),
    stop: () => sender.stop(),
  };
}
