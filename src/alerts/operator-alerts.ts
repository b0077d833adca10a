import type { Logger } from "../log/create-logger.js";
import type { SlackOutbox } from "../slack/slack-outbox.js";
import type { Store } from "../store/open-store.js";
import type { AlertReading } from "./alert-reading.js";
import { queueOperatorMessage } from "./queue-operator-message.js";

/** While a condition lasts, it is posted again at most this often. */
export const ALERT_REPEAT_MS = 60 * 60_000;

export type OperatorAlertsOptions = {
  db: Store;
  outbox: Pick<SlackOutbox, "enqueue">;
  logger: Logger;
  /** @default ALERT_REPEAT_MS */
  repeatMs?: number;
  now?: () => number;
};

export type OperatorAlerts = {
  /** Posts what changed since the last look; returns how many messages were queued. */
  evaluate(readings: readonly AlertReading[]): number;
};

type Row = { condition: string; started_at_ms: number; last_posted_at_ms: number };

/**
 * Turns condition readings into operator messages: once when a condition
 * starts, at most once per `repeatMs` while it lasts, once when it clears.
 * What was posted is kept in the state file, in the same transaction as the
 * queued message, so a restart neither repeats an alert nor loses one.
 */
export function createOperatorAlerts(options: OperatorAlertsOptions): OperatorAlerts {
  const { db, outbox, repeatMs = ALERT_REPEAT_MS, now = Date.now } = options;
  const log = options.logger.child({ area: "alerts" });
  const read = db.prepare<[string], Row>("SELECT * FROM operator_alerts WHERE condition = ?");
  const start = db.prepare(
    "INSERT INTO operator_alerts (condition, started_at_ms, last_posted_at_ms) VALUES (?, ?, ?) ON CONFLICT (condition) DO NOTHING",
  );
  const posted = db.prepare("UPDATE operator_alerts SET last_posted_at_ms = ? WHERE condition = ?");
  const clear = db.prepare("DELETE FROM operator_alerts WHERE condition = ?");

  const post = (reading: AlertReading, kind: "start" | "repeat" | "clear", startedAtMs: number, text: string) => {
    // The key makes the message go out once even when two processes look at once.
    const key = `alert:${reading.key}:${startedAtMs}:${kind === "repeat" ? `repeat:${now()}` : kind}`;
    queueOperatorMessage(outbox, { text }, key);
    log.info({ condition: reading.key, kind, outboxKey: key }, "operator alert queued");
  };

  const step = db.transaction((reading: AlertReading): boolean => {
    const row = read.get(reading.key);
    const at = now();
    if (reading.active && row === undefined) {
      start.run(reading.key, at, at);
      post(reading, "start", at, reading.message);
      return true;
    }
    if (reading.active && row !== undefined && at - row.last_posted_at_ms >= repeatMs) {
      posted.run(at, reading.key);
      post(reading, "repeat", row.started_at_ms, `Still: ${reading.message}`);
      return true;
    }
    if (!reading.active && row !== undefined) {
      clear.run(reading.key);
      post(reading, "clear", row.started_at_ms, reading.clearedMessage);
      return true;
    }
    return false;
  });

  return {
    evaluate: (readings) => readings.filter((reading) => step.immediate(reading)).length,
  };
}
