import type { Logger } from "../log/create-logger.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { Store } from "../store/open-store.js";
import { createSlackUserResolver } from "./resolve-slack-user.js";
import type { SlackAppDelivery, SlackSenderOptions } from "./slack-sender.js";
import { createSlackUserMap } from "./slack-user-map.js";
import { createSlackWebApi } from "./slack-web-api.js";

export type SlackAppSettings = {
  SLACK_WEBHOOK_URL?: string | undefined;
  SLACK_ALERTS_WEBHOOK_URL?: string | undefined;
  SLACK_BOT_TOKEN?: string | undefined;
  SLACK_CHANNEL?: string | undefined;
  SLACK_ALERTS_CHANNEL?: string | undefined;
  SLACK_API_URL: string;
  SLACK_SIGNING_SECRET?: string | undefined;
};

/** App mode is on when both the bot token and the channel are set; otherwise the webhook (or the log) is used. */
export function isSlackAppMode(config: SlackAppSettings): boolean {
  return config.SLACK_BOT_TOKEN !== undefined && config.SLACK_CHANNEL !== undefined;
}

/**
 * Messages carry buttons (and clicks reach POST /slack/actions) only in app
 * mode with the signing secret: without it a click could not be verified.
 */
export function hasSlackButtons(config: SlackAppSettings): boolean {
  return isSlackAppMode(config) && config.SLACK_SIGNING_SECRET !== undefined;
}

/** The Web API delivery every command builds the same way, or undefined when app mode is off. */
export function slackAppFromConfig(
  config: SlackAppSettings,
  deps: { db: Store; notion: Pick<NotionGateway, "read">; logger: Logger; fetch?: typeof globalThis.fetch },
): SlackAppDelivery | undefined {
  if (config.SLACK_BOT_TOKEN === undefined || config.SLACK_CHANNEL === undefined) return undefined;
  const api = createSlackWebApi({
    token: config.SLACK_BOT_TOKEN,
    apiUrl: config.SLACK_API_URL,
    ...(deps.fetch && { fetch: deps.fetch }),
  });
  return {
    api,
    channel: config.SLACK_CHANNEL,
    users: createSlackUserResolver({ notion: deps.notion, api, map: createSlackUserMap(deps.db), logger: deps.logger }),
  };
}

/**
 * Where every Slack message goes, from the settings: the server and the
 * digest share one outbox, so both must send any message in it the same way.
 */
export function slackDestinationsFromConfig(
  config: SlackAppSettings,
  deps: Parameters<typeof slackAppFromConfig>[1],
): Pick<SlackSenderOptions, "webhookUrl" | "alertsWebhookUrl" | "alertsChannel" | "app"> {
  return {
    webhookUrl: config.SLACK_WEBHOOK_URL,
    alertsWebhookUrl: config.SLACK_ALERTS_WEBHOOK_URL,
    alertsChannel: config.SLACK_ALERTS_CHANNEL,
    app: slackAppFromConfig(config, deps),
  };
}
