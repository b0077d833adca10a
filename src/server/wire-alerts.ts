import { createCreateHold } from "../notion/create-hold.js";
import type { AreaDependencies, CrmArea } from "./crm-area.js";
import type { SlackArea } from "./wire-slack.js";
import { createOperatorAlerts } from "../alerts/operator-alerts.js";
import { createAlertConditions, type AlertQueues } from "../alerts/read-alert-conditions.js";

/** How often the conditions are looked at: a few SQLite counts each time. */
export const ALERT_CHECK_INTERVAL_MS = 30_000;

export type AlertsAreaOptions = {
  /** The queues whose state the conditions read (the leads', the deal events' and the Slack clicks'). */
  queues: AlertQueues;
  holdRetryMs: number;
  backlogAfterMs: number;
  checkIntervalMs?: number | undefined;
  repeatMs?: number | undefined;
};

/**
 * Operator alerts: on a timer, reads the conditions from the queues and
 * queues what changed in the Slack outbox's alerts channel. It needs
 * nothing from Notion, so it runs from the start, a Notion outage included.
 */
export function wireAlerts({ db, logger }: AreaDependencies, slack: SlackArea, options: AlertsAreaOptions): CrmArea {
  const conditions = createAlertConditions(options.queues, {
    hold: createCreateHold(db, { retryMs: options.holdRetryMs }),
    backlogAfterMs: options.backlogAfterMs,
  });
  const alerts = createOperatorAlerts({
    db,
    outbox: slack.outbox,
    logger,
    ...(options.repeatMs !== undefined && { repeatMs: options.repeatMs }),
  });
  let timer: NodeJS.Timeout | undefined;

  const check = () => {
    try {
      if (alerts.evaluate(conditions.read()) > 0) slack.notify();
    } catch (error) {
      logger.error({ err: error, area: "alerts" }, "operator alert check failed; trying again on the next tick");
    }
  };

  return {
    routes: [],
    start() {
      check();
      timer = setInterval(check, options.checkIntervalMs ?? ALERT_CHECK_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
    },
  };
}
