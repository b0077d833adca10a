import type { NotionGateway } from "../notion/notion-gateway.js";
import type { WakeableQueue } from "../queue/wake-on-recovery.js";
import type { AreaDependencies, CrmArea } from "./crm-area.js";
import type { SlackArea } from "./wire-slack.js";
import { createDealEventWorker } from "../deal-webhooks/deal-event-worker.js";
import { createDealPollStore } from "../store/deal-poll-store.js";
import { createDealPoller } from "../deal-webhooks/deal-poller.js";
import { createDealStageStore } from "../deal-webhooks/deal-stage-store.js";
import { createNotionEventStore, type NotionEventStore } from "../deal-webhooks/notion-event-store.js";
import { notionWebhookRoute } from "../deal-webhooks/notion-webhook-route.js";
import type { DealsTarget } from "../deal-webhooks/process-deal-events.js";

export type DealAlertsOptions = {
  /** Unset: the webhook route refuses every delivery. */
  webhookSecret: string | undefined;
  dealsConfigured: boolean;
  slack: Pick<SlackArea, "outbox" | "notify">;
  /** Slack app mode: a deal moving into negotiation also messages its owner directly. */
  directMessages?: boolean | undefined;
  /** The gateway the poller reads with (the server gives it the bulk lane); default: the area's own. */
  pollNotion?: NotionGateway | undefined;
  quietMs?: number | undefined;
  retryBaseMs?: number | undefined;
  /** DEALS_POLL_SECONDS in ms; 0: no polling. */
  pollIntervalMs: number;
  /** The poller's clock. @default Date.now */
  pollNow?: (() => number) | undefined;
};

/**
 * Deal alerts: Notion's webhook stores each event and the poller asks Notion
 * for deals edited since it last asked; once the Deals data source is known,
 * both feed each deal page through one stage comparison into Slack messages.
 * Polling needs no public URL, so it works without the webhook.
 */
export type DealAlertsArea = CrmArea<DealsTarget> & {
  /** The stored Notion events, for reading (operator alerts). */
  readonly events: NotionEventStore["jobs"];
  /** The deal-event queue as Notion's recovery wakes it. */
  readonly waiting: WakeableQueue;
  /** Retention: forgets settled events older than `olderThanMs`. */
  pruneFinished(olderThanMs: number): number;
};

export function wireDealAlerts(deps: AreaDependencies, options: DealAlertsOptions): DealAlertsArea {
  const { db, notion, logger, signal } = deps;
  const events = createNotionEventStore(db);
  const stages = createDealStageStore(db);
  const worker = createDealEventWorker({
    db,
    notion,
    events,
    stages,
    outbox: options.slack.outbox,
    directMessages: options.directMessages ?? false,
    logger,
    onMessage: () => options.slack.notify(),
    signal,
    ...(options.quietMs !== undefined && { quietMs: options.quietMs }),
    ...(options.retryBaseMs !== undefined && { retryBaseMs: options.retryBaseMs }),
  });
  const poller =
    options.pollIntervalMs > 0
      ? createDealPoller({
          db,
          notion: options.pollNotion ?? notion,
          stages,
          outbox: options.slack.outbox,
          directMessages: options.directMessages ?? false,
          polls: createDealPollStore(db),
          logger,
          intervalMs: options.pollIntervalMs,
          ...(options.pollNow !== undefined && { now: options.pollNow }),
          onMessage: () => options.slack.notify(),
          signal,
        })
      : undefined;
  return {
    events: events.jobs,
    pruneFinished: (olderThanMs) => events.pruneFinished(olderThanMs),
    waiting: {
      name: "deal events",
      resumeWaiting: () => events.resumeWaiting(),
      hasRetryWaiting: () => events.hasRetryWaiting(),
      notify: () => worker.notify(),
    },
    routes: [
      notionWebhookRoute({
        secret: options.webhookSecret,
        events,
        onEvent: () => worker.notify(),
        dealsConfigured: options.dealsConfigured,
      }),
    ],
    start(target) {
      worker.start(target);
      poller?.start(target);
    },
    stop: async () => {
      await Promise.all([worker.stop(), poller?.stop()]);
    },
  };
}
