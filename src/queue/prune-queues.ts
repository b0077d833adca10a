import type { Logger } from "../log/create-logger.js";

/** How often finished rows are pruned: the state file grows by an hour's work at most between two runs. */
export const PRUNE_INTERVAL_MS = 60 * 60_000;
export const DAY_MS = 24 * 60 * 60_000;

/** A queue that forgets its finished rows (its durable queue's pruneFinished). */
export type PrunableQueue = {
  /** For the log: "lead submissions", "Slack messages". */
  name: string;
  pruneFinished(olderThanMs: number): number;
};

export type QueuePrunerOptions = {
  /** Every queue of the state file; a new queue joins this list where the server is composed. */
  queues: readonly PrunableQueue[];
  /** RETENTION_DAYS, in ms. */
  retentionMs: number;
  logger: Logger;
  intervalMs?: number;
};

/**
 * Retention, in one place: on a timer, every registered queue forgets the
 * rows that finished more than RETENTION_DAYS ago (queued rows are never
 * touched). A failing store (locked, full) is logged and tried again on the
 * next tick; it never stops the server.
 */
export function createQueuePruner({ queues, retentionMs, logger, intervalMs = PRUNE_INTERVAL_MS }: QueuePrunerOptions) {
  const log = logger.child({ area: "retention" });
  let timer: NodeJS.Timeout | undefined;

  /** Prunes every queue now; returns how many rows each lost. */
  function pruneNow(): Record<string, number> {
    const removed: Record<string, number> = {};
    for (const queue of queues) {
      try {
        removed[queue.name] = queue.pruneFinished(retentionMs);
      } catch (error) {
        log.error({ err: error, queue: queue.name }, "pruning finished rows failed; tried again on the next tick");
      }
    }
    const total = Object.values(removed).reduce((sum, count) => sum + count, 0);
    if (total > 0)
      log.info({ removed, retentionDays: retentionMs / DAY_MS }, "pruned finished rows past RETENTION_DAYS");
    return removed;
  }

  return {
    pruneNow,
    start(): void {
      pruneNow();
      timer = setInterval(pruneNow, intervalMs);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}
