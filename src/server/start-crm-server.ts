import { wireAlerts } from "../alerts/wire-alerts.js";
import type { ConfigWith } from "../config/load-config.js";
import { wireDealAlerts } from "../deal-webhooks/wire-deal-alerts.js";
import { wireLeads } from "../leads/wire-leads.js";
import type { Logger } from "../log/create-logger.js";
import { assertCrmSchema, type CrmDatabaseIds, type CrmSchemaReport } from "../notion/check-crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import { notionGatewayFromConfig, type NotionGateway, type NotionGatewayOptions } from "../notion/notion-gateway.js";
import { waitForCrmSchema } from "../notion/wait-for-crm-schema.js";
import { isSlackAppMode, slackAppFromConfig } from "../slack/slack-app-from-config.js";
import { wireSlack } from "../slack/wire-slack.js";
import { openStore, type Store } from "../store/open-store.js";
import { sleep } from "../util/sleep.js";
import type { AreaDependencies } from "./crm-area.js";
import { createApp } from "./create-app.js";
import { workerTargets } from "../crm-schema/worker-targets.js";
import { startServer, type RunningServer } from "./start-server.js";

/** How long a stopping server lets batches in flight finish before cutting them short. */
export const STOP_GRACE_MS = 5_000;

/** Settings the server refuses to start without (the contract's "required"). */
export const SERVER_REQUIRED_SETTINGS = ["NOTION_TOKEN", "NOTION_CONTACTS_DB_ID", "FORM_SECRET"] as const;
export type ServerConfig = ConfigWith<(typeof SERVER_REQUIRED_SETTINGS)[number]>;

export type CrmServer = {
  readonly url: string;
  stop(): Promise<void>;
};

/** Seams for tests: timings that are seconds or minutes in production. */
export type CrmServerOverrides = Partial<Pick<NotionGatewayOptions, "backoffBaseMs" | "attemptTimeoutMs">> & {
  /** The lead and deal-event workers' first retry delay. */
  retryBaseMs?: number;
  leadResponseWaitMs?: number;
  schemaRetryBaseMs?: number;
  dealEventQuietMs?: number;
  /** Replaces DEALS_POLL_SECONDS (unless that is 0, off). */
  dealPollIntervalMs?: number;
  slackRetryBaseMs?: number;
  /** NOTION_HOLD_RETRY_SECONDS, in ms. */
  holdRetryMs?: number;
  /** LEAD_BACKLOG_ALERT_MINUTES, in ms. */
  backlogAlertAfterMs?: number;
  alertCheckIntervalMs?: number;
  alertRepeatMs?: number;
};

/**
 * Builds the real objects and starts listening. The Notion schema is checked
 * first: a wrong schema or a refused token stops the start, naming the
 * problem. Notion being unreachable does not: leads are then accepted and
 * queued while the check is retried, because a server that is down loses
 * the form posts sent to it. Leads a previous process left queued resume.
 */
export async function startCrmServer(
  config: ServerConfig,
  logger: Logger,
  overrides: CrmServerOverrides = {},
): Promise<CrmServer> {
  const db = openStore(config.DATA_DIR);
  const shutdown = new AbortController();
  try {
    const gatewayOptions = {
      db,
      logger,
      signal: shutdown.signal,
      ...(overrides.backoffBaseMs !== undefined && { backoffBaseMs: overrides.backoffBaseMs }),
      ...(overrides.attemptTimeoutMs !== undefined && { attemptTimeoutMs: overrides.attemptTimeoutMs }),
    };
    const notion = notionGatewayFromConfig(config, gatewayOptions);
    // Paging through deals is bulk work: it takes a token only while no lead is waiting for one.
    const bulkNotion = notionGatewayFromConfig(config, { ...gatewayOptions, lane: "bulk" });
    const databases = crmDatabaseIds(config);
    const schema = await checkSchemaAtStart(notion, databases, logger);

    // Each area is wired in its own file; a new one is built here and joins `areas`.
    const deps: AreaDependencies = { db, notion, logger, signal: shutdown.signal };
    const slack = wireSlack(deps, {
      webhookUrl: config.SLACK_WEBHOOK_URL,
      alertsWebhookUrl: config.SLACK_ALERTS_WEBHOOK_URL,
      app: slackAppFromConfig(config, deps),
      retryBaseMs: overrides.slackRetryBaseMs,
    });
    const holdRetryMs = overrides.holdRetryMs ?? config.NOTION_HOLD_RETRY_SECONDS * 1000;
    const leads = wireLeads(deps, config, {
      retryBaseMs: overrides.retryBaseMs,
      responseWaitMs: overrides.leadResponseWaitMs,
      holdRetryMs,
    });
    const alerts = wireAlerts(deps, slack, {
      holdRetryMs,
      backlogAfterMs: overrides.backlogAlertAfterMs ?? config.LEAD_BACKLOG_ALERT_MINUTES * 60_000,
      checkIntervalMs: overrides.alertCheckIntervalMs,
      repeatMs: overrides.alertRepeatMs,
    });
    const dealAlerts = wireDealAlerts(deps, {
      webhookSecret: config.NOTION_WEBHOOK_SECRET,
      dealsConfigured: config.NOTION_DEALS_DB_ID !== undefined,
      slack,
      pollNotion: bulkNotion,
      directMessages: isSlackAppMode(config),
      quietMs: overrides.dealEventQuietMs,
      retryBaseMs: overrides.retryBaseMs,
      pollIntervalMs:
        config.DEALS_POLL_SECONDS === 0 ? 0 : (overrides.dealPollIntervalMs ?? config.DEALS_POLL_SECONDS * 1000),
    });
    const areas = [leads, dealAlerts, alerts, slack];

    const routes = areas.flatMap((area) => area.routes);
    const server = await startServer(createApp({ db, logger, routes }), { host: config.HOST, port: config.PORT });
    const listening = { url: server.url, queued: leads.queuedCount(), formServices: leads.formServices };
    logger.info(listening, "server listening");

    // Slack needs nothing from Notion; the areas that write to Notion start once they know where.
    slack.start();
    alerts.start();
    const schemaKnown =
      schema ??
      waitForCrmSchema(notion, databases, {
        logger,
        signal: shutdown.signal,
        ...(overrides.schemaRetryBaseMs !== undefined && { retryBaseMs: overrides.schemaRetryBaseMs }),
      });
    whenKnown(schemaKnown, (report) => {
      const targets = workerTargets(report, config.NOTION_DEALS_DB_ID);
      leads.start(targets.leads);
      if (targets.deals !== undefined) dealAlerts.start(targets.deals);
    });

    return { url: server.url, stop: () => stopAll(server, areas, shutdown, db) };
  } catch (error) {
    shutdown.abort(error);
    db.close();
    throw error;
  }
}

function crmDatabaseIds(config: ServerConfig): CrmDatabaseIds {
  return {
    contacts: config.NOTION_CONTACTS_DB_ID,
    ...(config.NOTION_DEALS_DB_ID && { deals: config.NOTION_DEALS_DB_ID }),
    ...(config.NOTION_ACTIVITIES_DB_ID && { activities: config.NOTION_ACTIVITIES_DB_ID }),
  };
}

/** A wrong schema or a refused token throws; Notion unreachable gives undefined, to be retried. */
async function checkSchemaAtStart(
  notion: NotionGateway,
  databases: CrmDatabaseIds,
  logger: Logger,
): Promise<CrmSchemaReport | undefined> {
  return assertCrmSchema(notion, databases).catch((error: unknown) => {
    if (!isNotionGatewayError(error) || !error.retryable) throw error;
    logger.warn(
      { err: error },
      "Notion is unreachable at start: leads are accepted and queued, and the schema check is retried",
    );
    return undefined;
  });
}

/** Runs `then` now when the schema is already known, or once the retried check passes. */
function whenKnown(schema: CrmSchemaReport | Promise<CrmSchemaReport>, then: (report: CrmSchemaReport) => void): void {
  // A rejected wait was aborted: the server is stopping.
  if (schema instanceof Promise) schema.then(then, () => undefined);
  else then(schema);
}

async function stopAll(
  server: RunningServer,
  areas: ReadonlyArray<{ stop(): Promise<void> }>,
  shutdown: AbortController,
  db: Store,
): Promise<void> {
  await server.close();
  // Work in flight gets a moment to finish; then its Notion calls are
  // cut short and the leads stay queued for the next start.
  const drained = Promise.all(areas.map((area) => area.stop()));
  await Promise.race([drained, sleep(STOP_GRACE_MS)]);
  shutdown.abort(new Error("server stopping"));
  await drained;
  db.close();
}
