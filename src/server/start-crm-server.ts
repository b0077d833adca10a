import { setMaxListeners } from "node:events";
import { wireAlerts } from "./wire-alerts.js";
import type { ConfigWith } from "../config/load-config.js";
import type { SERVER_REQUIRED_SETTINGS } from "../config/settings.js";
import { wireDealAlerts } from "./wire-deal-alerts.js";
import { wireLeads } from "./wire-leads.js";
import { wireInboundEmail } from "./wire-inbound-email.js";
import type { Logger } from "../log/create-logger.js";
import type { CrmDatabaseIds } from "../notion/check-crm-schema.js";
import { notionGatewayFromConfig, type NotionGatewayOptions } from "../notion/notion-gateway.js";
import { createNewLeadAnnouncer, pruneAnnouncedLeads } from "../new-lead-alerts/new-lead-announcer.js";
import { clickTargets } from "../slack-actions/click-targets.js";
import { wireSlackActions, type SlackActionsArea } from "./wire-slack-actions.js";
import { newLeadAlertActions } from "../slack/lead-buttons.js";
import { hasSlackButtons, isSlackAppMode, slackDestinationsFromConfig } from "../slack/slack-app-from-config.js";
import { createSlackWebApi } from "../slack/slack-web-api.js";
import { createSlackClicks } from "../slack/slack-clicks.js";
import { recordFirstTouch } from "../first-touch/first-touches.js";
import { wireSlack } from "./wire-slack.js";
import { openStore, type Store } from "../store/open-store.js";
import { sleep } from "../util/sleep.js";
import type { AreaDependencies } from "./crm-area.js";
import { createApp } from "./create-app.js";
import { answeredWithin, checkSchema, schemaAtStart, STARTUP_SCHEMA_WAIT_MS, whenKnown } from "./schema-at-start.js";
import { workerTargets } from "../notion/worker-targets.js";
import { startServer, type RunningServer } from "./start-server.js";
import { createQueuePruner, DAY_MS } from "../queue/prune-queues.js";
import { createRecoveryWaker } from "../queue/wake-on-recovery.js";

/** How long a stopping server lets batches in flight finish before cutting them short. */
export const STOP_GRACE_MS = 5_000;

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
  /** The deal poller's clock, set apart from Notion's in tests (it must never decide what was edited). */
  dealPollNow?: () => number;
  slackRetryBaseMs?: number;
  /** NOTION_HOLD_RETRY_SECONDS, in ms. */
  holdRetryMs?: number;
  /** LEAD_BACKLOG_ALERT_MINUTES, in ms. */
  backlogAlertAfterMs?: number;
  alertCheckIntervalMs?: number;
  alertRepeatMs?: number;
  /** How long an inbound email's answer waits for Notion. @default EMAIL_RESPONSE_WAIT_MS */
  emailResponseWaitMs?: number;
  /** How long a start waits for the first schema check. @default STARTUP_SCHEMA_WAIT_MS */
  startupSchemaWaitMs?: number;
  /** How long a new-lead alert waits for the rest of a burst. @default NEW_LEAD_ALERT_HOLD_MS */
  newLeadAlertHoldMs?: number;
  /** While work waits out a backoff, how often Notion is asked whether it is back. @default RECOVERY_PROBE_INTERVAL_MS */
  recoveryProbeIntervalMs?: number;
};

/**
 * Builds the real objects and starts listening at once: a restart during a
 * Notion incident must not refuse form posts. The Notion schema is checked
 * in the background; the workers that write to Notion start once it passes.
 * A wrong schema or a refused token found within a moment stops the start,
 * naming the problem; found later, it is logged and sent to the operator,
 * and nothing is written to Notion until a retried check passes. Leads are
 * accepted and stored meanwhile; leads a previous process left queued resume.
 */
export async function startCrmServer(
  config: ServerConfig,
  logger: Logger,
  overrides: CrmServerOverrides = {},
): Promise<CrmServer> {
  const db = openStore(config.DATA_DIR);
  const shutdown = new AbortController();
  // Every request and wait in flight listens for the shutdown: dozens at once is normal, not a leak.
  setMaxListeners(0, shutdown.signal);
  let server: RunningServer | undefined;
  let areas: Array<{ stop(): Promise<void> }> = [];
  try {
    // Any success from Notion wakes the work waiting on backoff (bound once the queues exist).
    let notionAnswered = () => {};
    const gatewayOptions = {
      db,
      logger,
      signal: shutdown.signal,
      onSuccess: () => notionAnswered(),
      ...(overrides.backoffBaseMs !== undefined && { backoffBaseMs: overrides.backoffBaseMs }),
      ...(overrides.attemptTimeoutMs !== undefined && { attemptTimeoutMs: overrides.attemptTimeoutMs }),
    };
    const notion = notionGatewayFromConfig(config, gatewayOptions);
    // Paging through deals is bulk work: it takes a token only while no lead is waiting for one.
    const bulkNotion = notionGatewayFromConfig(config, { ...gatewayOptions, lane: "bulk" });
    // Unsigned /form posts leave signed leads a reserve, and step aside while one waits.
    const formNotion = notionGatewayFromConfig(config, { ...gatewayOptions, lane: "form" });
    const databases = crmDatabaseIds(config);
    const firstCheck = checkSchema(notion, databases);

    // Each area is wired in its own file; a new one is built here and joins `areas`.
    const deps: AreaDependencies = { db, notion, logger, signal: shutdown.signal };
    const slack = wireSlack(deps, {
      ...slackDestinationsFromConfig(config, deps),
      retryBaseMs: overrides.slackRetryBaseMs,
    });
    const holdRetryMs = overrides.holdRetryMs ?? config.NOTION_HOLD_RETRY_SECONDS * 1000;
    // Known once the schema check passes: Claim is offered only when Contacts has an Owner (people) property.
    let contactsHaveOwner = false;
    const announcer =
      config.NEW_LEAD_ALERTS === "on"
        ? createNewLeadAnnouncer({
            db,
            outbox: slack.outbox,
            notify: slack.notify,
            buttons: () => (hasSlackButtons(config) ? newLeadAlertActions(contactsHaveOwner) : []),
            logger,
            ...(overrides.newLeadAlertHoldMs !== undefined && { holdMs: overrides.newLeadAlertHoldMs }),
          })
        : undefined;
    const leads = wireLeads(deps, config, {
      retryBaseMs: overrides.retryBaseMs,
      responseWaitMs: overrides.leadResponseWaitMs,
      holdRetryMs,
      formNotion,
      ...(announcer && { onContactCreated: (contact) => announcer.announce(contact) }),
    });
    // POST /slack/actions exists only with the signing secret and the bot token (404 otherwise).
    let slackActions: SlackActionsArea | undefined;
    if (config.SLACK_SIGNING_SECRET !== undefined && config.SLACK_BOT_TOKEN !== undefined) {
      slackActions = wireSlackActions(deps, {
        signingSecret: config.SLACK_SIGNING_SECRET,
        api: createSlackWebApi({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL }),
        settings: {
          statusContacted: config.STATUS_CONTACTED,
          statusNotAFit: config.STATUS_NOT_A_FIT,
          snoozeDays: config.SNOOZE_DAYS,
        },
        // The Contacted click is a lead's first touch, which the weekly report's speed to lead reads.
        onFirstTouch: (touch) => recordFirstTouch(db, touch),
        retryBaseMs: overrides.retryBaseMs,
      });
    }
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
      pollNow: overrides.dealPollNow,
    });
    const inboundEmail = wireInboundEmail(deps, config, {
      slack,
      // A sent email to a lead is its first touch, which the weekly report's speed to lead reads.
      onFirstTouch: (touch) => void recordFirstTouch(db, touch),
      retryBaseMs: overrides.retryBaseMs,
      responseWaitMs: overrides.emailResponseWaitMs,
    });
    // Dead clicks are counted and pruned even when buttons are off now: they were clicked before.
    const clicks = slackActions?.clicks ?? createSlackClicks(db);
    const alerts = wireAlerts(deps, slack, {
      queues: {
        leads: leads.queue,
        dealEvents: dealAlerts.events,
        ...(inboundEmail.enabled && { emails: inboundEmail.queue }),
        clicks,
        slack: slack.outbox.jobs,
        refusedOrigins: () => leads.refusedOrigins.lastHour(),
      },
      holdRetryMs,
      backlogAfterMs: overrides.backlogAlertAfterMs ?? config.LEAD_BACKLOG_ALERT_MINUTES * 60_000,
      checkIntervalMs: overrides.alertCheckIntervalMs,
      repeatMs: overrides.alertRepeatMs,
    });
    // Retention in one place: every queue of the state file is listed here (new queues join the list).
    const pruner = createQueuePruner({
      queues: [
        { name: "lead submissions", pruneFinished: leads.pruneFinished },
        { name: "Notion events", pruneFinished: dealAlerts.pruneFinished },
        { name: "Slack messages", pruneFinished: slack.outbox.pruneFinished },
        { name: "Slack clicks", pruneFinished: clicks.pruneFinished },
        { name: "logged emails", pruneFinished: inboundEmail.queue.pruneFinished },
        { name: "new-lead alerts", pruneFinished: (olderThanMs) => pruneAnnouncedLeads(db, olderThanMs) },
      ],
      retentionMs: config.RETENTION_DAYS * DAY_MS,
      logger,
    });
    // One try, no retries of its own: the next tick asks again.
    const probeNotion = notionGatewayFromConfig(config, { ...gatewayOptions, lane: "bulk", maxAttempts: 1 });
    const recovery = createRecoveryWaker({
      queues: [
        leads.waiting,
        dealAlerts.waiting,
        inboundEmail.waiting,
        ...(slackActions ? [slackActions.waiting] : []),
      ],
      probe: () => probeNotion.read("users.me (is Notion back?)", (client) => client.users.me({})),
      logger,
      ...(overrides.recoveryProbeIntervalMs !== undefined && { probeIntervalMs: overrides.recoveryProbeIntervalMs }),
    });
    notionAnswered = recovery.succeeded;
    const wired = [leads, dealAlerts, inboundEmail, alerts, ...(slackActions ? [slackActions] : []), slack];
    areas = [
      ...wired,
      {
        stop: async () => {
          pruner.stop();
          recovery.stop();
        },
      },
    ];

    const routes = wired.flatMap((area) => area.routes);
    server = await startServer(createApp({ db, logger, routes }), { host: config.HOST, port: config.PORT });
    const listening = {
      url: server.url,
      queued: leads.queuedCount(),
      formServices: leads.formServices,
      inboundEmail: inboundEmail.enabled,
    };
    logger.info(listening, "server listening");

    const early = await answeredWithin(firstCheck, overrides.startupSchemaWaitMs ?? STARTUP_SCHEMA_WAIT_MS);
    if (early?.kind === "wrong") throw early.error;

    // Slack needs nothing from Notion; the areas that write to Notion start once they know where.
    slack.start();
    alerts.start();
    pruner.start();
    recovery.start();
    // Stopping begins before the shutdown signal aborts (batches get a grace period): nothing starts after it.
    const stopping = new AbortController();
    const schemaKnown = schemaAtStart(firstCheck, early, {
      notion,
      databases,
      logger,
      signal: shutdown.signal,
      stopping: stopping.signal,
      slack,
      ...(overrides.schemaRetryBaseMs !== undefined && { schemaRetryBaseMs: overrides.schemaRetryBaseMs }),
    });
    whenKnown(schemaKnown, stopping.signal, (report) => {
      const targets = workerTargets(report, config.NOTION_DEALS_DB_ID);
      const clicks = clickTargets(report, targets);
      contactsHaveOwner = clicks.ownerProperty;
      leads.start(targets.leads);
      slackActions?.start(clicks);
      if (inboundEmail.enabled) inboundEmail.start(targets.leads);
      if (targets.deals !== undefined) dealAlerts.start(targets.deals);
    });

    const running = server;
    return {
      url: running.url,
      stop: () => {
        stopping.abort();
        return stopAll(running, areas, shutdown, db);
      },
    };
  } catch (error) {
    shutdown.abort(error);
    await server?.close();
    await Promise.all(areas.map((area) => area.stop()));
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
