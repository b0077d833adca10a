import { createTask, type Logger as CronLogger } from "node-cron";
import type { Logger } from "../log/create-logger.js";

export type CronSchedule = {
  /** When the job fires next; null once stopped. */
  nextRunAt(): Date | null;
  /** Stops firing and waits for a run in progress to finish. */
  stop(): Promise<void>;
};

export type ScheduleCronOptions = {
  /** What the log lines call the job: "stale-lead digest", "pipeline report". */
  label: string;
  /** The log lines' area: "digest-schedule". */
  area: string;
  /** DIGEST_CRON, REPORT_CRON (node-cron syntax; six fields allow seconds). */
  cronExpression: string;
  /** DIGEST_TZ */
  timeZone: string;
  run: () => Promise<unknown>;
  logger: Logger;
  /** Aborted when the process stops: a run cut short by it is not a failure. */
  signal?: AbortSignal;
};

/**
 * Fires a job (the digest, the report) on its cron schedule. A run still
 * going when the next one is due (a big database at 3 requests a second)
 * makes node-cron skip that firing instead of starting a second one beside
 * it. A failed run is logged and the schedule carries on: the next firing
 * tries again.
 */
export function scheduleCron({
  label,
  area,
  cronExpression,
  timeZone,
  run,
  logger,
  signal,
}: ScheduleCronOptions): CronSchedule {
  const log = logger.child({ area });
  let current: Promise<void> | undefined;
  const task = createTask(
    cronExpression,
    () => {
      current = run().then(
        () => log.info({ nextRunAt: task.getNextRun()?.toISOString() }, `next ${label} scheduled`),
        (error: unknown) => {
          if (signal?.aborted) log.info(`${label} interrupted by shutdown`);
          else
            log.error(
              { err: error, nextRunAt: task.getNextRun()?.toISOString() },
              `${label} failed; the next scheduled run tries again`,
            );
        },
      );
      return current;
    },
    { name: label.replaceAll(" ", "-"), timezone: timeZone, noOverlap: true, logger: cronLogger(log) },
  );
  void task.start();
  log.info({ cron: cronExpression, timeZone, nextRunAt: task.getNextRun()?.toISOString() }, `${label} scheduled`);
  let stopped = false;
  return {
    nextRunAt: () => (stopped ? null : task.getNextRun()),
    async stop() {
      stopped = true;
      await task.destroy();
      await current;
    },
  };
}

/** node-cron's own warnings (a skipped overlapping run, a missed one) as our JSON lines. */
function cronLogger(log: Logger): CronLogger {
  const line = (level: "debug" | "info" | "warn" | "error") => (message: string | Error, error?: Error) =>
    message instanceof Error
      ? log[level]({ err: message }, "node-cron error")
      : log[level](error === undefined ? {} : { err: error }, `node-cron: ${message}`);
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}
