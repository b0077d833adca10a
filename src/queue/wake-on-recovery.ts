import type { Logger } from "../log/create-logger.js";

/** How often, at most, a success wakes the queues: a few indexed UPDATEs, not one per request. */
export const RECOVERY_WAKE_MIN_INTERVAL_MS = 1_000;
/** While work waits out a backoff, Notion is asked this often whether it is back (one cheap read). */
export const RECOVERY_PROBE_INTERVAL_MS = 10_000;

/** A queue whose waiting work a recovery wakes: its rows due now, its loop told. */
export type WakeableQueue = {
  name: string;
  /** Rows waiting out a retry's backoff become due now; returns how many. */
  resumeWaiting(): number;
  /** Whether any row waits out a retry's backoff. */
  hasRetryWaiting(): boolean;
  /** Tells the queue's work loop to look now. */
  notify(): void;
};

export type RecoveryWakerOptions = {
  queues: readonly WakeableQueue[];
  /** One cheap request to the service (users.me): its success calls `succeeded` through the gateway's hook. */
  probe: () => Promise<unknown>;
  logger: Logger;
  minIntervalMs?: number;
  probeIntervalMs?: number;
  now?: () => number;
};

/**
 * After an outage, work that waited resumes within seconds of the service's
 * first success, not after each item's own backoff (up to 5 minutes). Any
 * successful request (`succeeded`, the gateway's onSuccess) pulls every
 * waiting row's retry time forward and wakes the loops. While rows wait and
 * nothing else asks, a probe asks every `probeIntervalMs`, so the first
 * success is seen even when every item is still backing off.
 */
export function createRecoveryWaker(options: RecoveryWakerOptions) {
  const { queues, probe, minIntervalMs = RECOVERY_WAKE_MIN_INTERVAL_MS, now = Date.now } = options;
  const log = options.logger.child({ area: "recovery" });
  let lastWakeMs = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let probing = false;

  function succeeded(): void {
    const at = now();
    if (at - lastWakeMs < minIntervalMs) return;
    lastWakeMs = at;
    for (const queue of queues) {
      try {
        const resumed = queue.resumeWaiting();
        if (resumed === 0) continue;
        log.info({ queue: queue.name, resumed }, "Notion answers again: work waiting on backoff resumes now");
        queue.notify();
      } catch (error) {
        log.error({ err: error, queue: queue.name }, "could not wake the queue after Notion's recovery");
      }
    }
  }

  async function probeIfWaiting(): Promise<void> {
    if (probing) return;
    try {
      if (!queues.some((queue) => queue.hasRetryWaiting())) return;
      probing = true;
      // A failure is the outage going on: the next tick asks again.
      await probe().catch(() => undefined);
    } catch (error) {
      log.error({ err: error }, "could not look for work waiting on Notion");
    } finally {
      probing = false;
    }
  }

  return {
    succeeded,
    start(): void {
      timer = setInterval(() => void probeIfWaiting(), options.probeIntervalMs ?? RECOVERY_PROBE_INTERVAL_MS);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}
