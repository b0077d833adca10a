import type { AreaDependencies, CrmArea } from "../server/crm-area.js";
import type { SlackArea } from "../slack/wire-slack.js";
import { createDealEventWorker } from "./deal-event-worker.js";
import { createDealStageStore } from "./deal-stage-store.js";
import { createNotionEventStore } from "./notion-event-store.js";
import { notionWebhookRoute } from "./notion-webhook-route.js";
import type { DealsTarget } from "./process-deal-events.js";

export type DealAlertsOptions = {
  /** Unset: the webhook route refuses every delivery. */
  webhookSecret: string | undefined;
  dealsConfigured: boolean;
  slack: Pick<SlackArea, "outbox" | "notify">;
  /** Slack app mode: a deal moving into negotiation also messages its owner directly. */
  directMessages?: boolean | undefined;
  quietMs?: number | undefined;
  retryBaseMs?: number | undefined;
};

/**
 * Deal alerts: Notion's webhook stores each event; the worker, once it
 * knows the Deals data source, turns stage changes into Slack messages.
 */
export function wireDealAlerts(deps: AreaDependencies, options: DealAlertsOptions): CrmArea<DealsTarget> {
  const { db, notion, logger, signal } = deps;
  const events = createNotionEventStore(db);
  const worker = createDealEventWorker({
    db,
    notion,
    events,
    stages: createDealStageStore(db),
    outbox: options.slack.outbox,
    directMessages: options.directMessages ?? false,
    logger,
    onMessage: () => options.slack.notify(),
    signal,
    ...(options.quietMs !== undefined && { quietMs: options.quietMs }),
    ...(options.retryBaseMs !== undefined && { retryBaseMs: options.retryBaseMs }),
  });
  return {
    routes: [
      notionWebhookRoute({
        secret: options.webhookSecret,
        events,
        onEvent: () => worker.notify(),
        dealsConfigured: options.dealsConfigured,
      }),
    ],
    start: (target) => worker.start(target),
    stop: () => worker.stop(),
  };
}
