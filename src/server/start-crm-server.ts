import type { ConfigWith } from "../config/load-config.js";
import { formServiceRoute } from "../form-services/form-service-route.js";
import { FORM_SERVICES } from "../form-services/form-services.js";
import { createContactCache } from "../leads/contact-cache.js";
import { createLeadQueue } from "../leads/lead-queue.js";
import { leadRoute } from "../leads/lead-route.js";
import { createLeadWorker } from "../leads/lead-worker.js";
import { createDealEventWorker } from "../deal-webhooks/deal-event-worker.js";
import { createDealStageStore } from "../deal-webhooks/deal-stage-store.js";
import { createNotionEventStore } from "../deal-webhooks/notion-event-store.js";
import { notionWebhookRoute } from "../deal-webhooks/notion-webhook-route.js";
import { createSlackOutbox } from "../slack/slack-outbox.js";
import { createSlackSender } from "../slack/slack-sender.js";
import type { Logger } from "../log/create-logger.js";
import { assertCrmSchema, type CrmDatabaseIds, type CrmSchemaReport } from "../notion/check-crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import { notionGatewayFromConfig, type NotionGatewayOptions } from "../notion/notion-gateway.js";
import { waitForCrmSchema } from "../notion/wait-for-crm-schema.js";
import { createSenderLimits } from "../spam/sender-limits.js";
import { openStore } from "../store/open-store.js";
import { sleep } from "../util/sleep.js";
import { createApp } from "./create-app.js";
import { workerTargets } from "../crm-schema/worker-targets.js";
import { startServer } from "./start-server.js";

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
  slackRetryBaseMs?: number;
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
    const notion = notionGatewayFromConfig(config, {
      db,
      logger,
      signal: shutdown.signal,
      ...(overrides.backoffBaseMs !== undefined && { backoffBaseMs: overrides.backoffBaseMs }),
      ...(overrides.attemptTimeoutMs !== undefined && { attemptTimeoutMs: overrides.attemptTimeoutMs }),
    });
    const databases: CrmDatabaseIds = {
      contacts: config.NOTION_CONTACTS_DB_ID,
      ...(config.NOTION_DEALS_DB_ID && { deals: config.NOTION_DEALS_DB_ID }),
      ...(config.NOTION_ACTIVITIES_DB_ID && { activities: config.NOTION_ACTIVITIES_DB_ID }),
    };
    const schema = await assertCrmSchema(notion, databases).catch((error: unknown) => {
      if (!isNotionGatewayError(error) || !error.retryable) throw error;
      logger.warn(
        { err: error },
        "Notion is unreachable at start: leads are accepted and queued, and the schema check is retried",
      );
      return undefined;
    });

    const queue = createLeadQueue(db);
    const worker = createLeadWorker({
      queue,
      cache: createContactCache(db),
      notion,
      logger,
      signal: shutdown.signal,
      ...(overrides.retryBaseMs !== undefined && { retryBaseMs: overrides.retryBaseMs }),
    });
    const outbox = createSlackOutbox(db);
    const slack = createSlackSender({
      outbox,
      db,
      webhookUrl: config.SLACK_WEBHOOK_URL,
      logger,
      ...(overrides.slackRetryBaseMs !== undefined && { retryBaseMs: overrides.slackRetryBaseMs }),
    });
    const events = createNotionEventStore(db);
    const dealWorker = createDealEventWorker({
      db,
      notion,
      events,
      stages: createDealStageStore(db),
      outbox,
      logger,
      onMessage: () => slack.notify(),
      signal: shutdown.signal,
      ...(overrides.dealEventQuietMs !== undefined && { quietMs: overrides.dealEventQuietMs }),
      ...(overrides.retryBaseMs !== undefined && { retryBaseMs: overrides.retryBaseMs }),
    });
    const accept = {
      queue,
      worker,
      ...(overrides.leadResponseWaitMs !== undefined && { responseWaitMs: overrides.leadResponseWaitMs }),
    };
    const formSecrets = Object.fromEntries(
      FORM_SERVICES.map((service) => [service.name, config[service.secretSetting]]),
    );
    const routes = [
      leadRoute({ ...accept, formSecret: config.FORM_SECRET, honeypotField: config.HONEYPOT_FIELD }),
      formServiceRoute({
        ...accept,
        services: FORM_SERVICES,
        secrets: formSecrets,
        fieldMap: config.FORM_FIELD_MAP,
        honeypotField: config.HONEYPOT_FIELD,
        limits: createSenderLimits(db, {
          perIpPerHour: config.LEADS_PER_IP_PER_HOUR,
          perEmailPerHour: config.LEADS_PER_EMAIL_PER_HOUR,
        }),
      }),
      notionWebhookRoute({
        secret: config.NOTION_WEBHOOK_SECRET,
        events,
        onEvent: () => dealWorker.notify(),
        dealsConfigured: config.NOTION_DEALS_DB_ID !== undefined,
      }),
    ];
    const server = await startServer(createApp({ db, logger, routes }), { host: config.HOST, port: config.PORT });
    const formServices = Object.keys(formSecrets).filter((name) => formSecrets[name] !== undefined);
    logger.info({ url: server.url, queued: queue.counts().queued ?? 0, formServices }, "server listening");
    slack.start();

    const startWorkers = (report: CrmSchemaReport) => {
      const { leads, deals } = workerTargets(report, config.NOTION_DEALS_DB_ID);
      worker.start(leads);
      if (deals !== undefined) dealWorker.start(deals);
    };
    if (schema !== undefined) {
      startWorkers(schema);
    } else {
      waitForCrmSchema(notion, databases, {
        logger,
        signal: shutdown.signal,
        ...(overrides.schemaRetryBaseMs !== undefined && { retryBaseMs: overrides.schemaRetryBaseMs }),
      }).then(
        startWorkers,
        () => undefined, // aborted: the server is stopping
      );
    }

    return {
      url: server.url,
      async stop() {
        await server.close();
        // Batches in flight get a moment to finish; then their Notion calls are
        // cut short and the leads stay queued for the next start.
        const drained = Promise.all([worker.stop(), dealWorker.stop(), slack.stop()]);
        await Promise.race([drained, sleep(STOP_GRACE_MS)]);
        shutdown.abort(new Error("server stopping"));
        await drained;
        db.close();
      },
    };
  } catch (error) {
    shutdown.abort(error);
    db.close();
    throw error;
  }
}
