import type { Logger } from "../log/create-logger.js";
import { backoffDelayMs } from "../util/backoff.js";
import type { BatchOutcome } from "./batch-outcome.js";

/** The shortest sleep, so a due time already past cannot spin the loop. */
const MIN_SLEEP_MS = 5;
/** After the store throws (a locked or full SQLite file), the loop pauses, doubling up to a minute. */
export const STORE_FAILURE_BASE_MS = 1_000;
export const STORE_FAILURE_MAX_MS = 60_000;

export type WorkLoopOptions<K, B> = {
  logger: Logger;
  /** Batches worked on at once; 1 serialises them. A key is never worked on twice at once. @default 1 */
  concurrency?: number;
  /** Keys with due work, oldest first, at most `limit` (it counts keys in flight, which are skipped). */
  due(limit: number): readonly K[];
  /** The batch for a key, or undefined when there is nothing (left) to do for it. */
  take(key: K): B | undefined;
  /** Tries the batch; its failures are outcomes. A throw is a bug: logged, and the loop pauses. */
  work(batch: B): Promise<BatchOutcome>;
  /** Writes the outcome to the store. */
  record(batch: B, outcome: BatchOutcome): void;
  /** When the earliest queued work is due; undefined when nothing is queued. */
  nextDueAtMs(): number | undefined;
  /** Look this often even without a notify() (work queued by another process); unset: only when something is queued. */
  pollIntervalMs?: number | undefined;
  /** Once aborted, a failed batch is left as it was: the failure is the shutdown's, not the batch's. */
  signal?: AbortSignal | undefined;
  now?: () => number;
  storeFailureBaseMs?: number;
};

export type WorkLoop = {
  /** Starts working, beginning with whatever is already due. */
  start(): void;
  /** Something was queued: look now rather than at the next wake-up. */
  notify(): void;
  /** Stops taking work and waits for the batches in flight. */
  stop(): Promise<void>;
};

/**
 * The skeleton every queue worker shares: claim due keys, work each batch,
 * record its outcome, sleep until the next due item or a notify(). Nothing a
 * worker or its store throws escapes: it is logged and the loop backs off.
 */
export function createWorkLoop<K, B>(options: WorkLoopOptions<K, B>): WorkLoop {
  const { logger: log, concurrency = 1, pollIntervalMs, signal, now = Date.now } = options;
  const storeFailureBaseMs = options.storeFailureBaseMs ?? STORE_FAILURE_BASE_MS;
  const inFlight = new Map<K, Promise<void>>();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let pausedUntilMs = 0;

  function pump(): void {
    if (!running) return;
    clearTimeout(timer);
    const pausedMs = pausedUntilMs - now();
    if (pausedMs > 0) return sleep(pausedMs);
    try {
      startDue();
      // A full loop is woken by its own batches finishing.
      if (inFlight.size >= concurrency) return;
      const due = options.nextDueAtMs();
      const waitMs = Math.min(pollIntervalMs ?? Infinity, due === undefined ? Infinity : due - now());
      if (Number.isFinite(waitMs)) sleep(waitMs);
    } catch (error) {
      failed(error);
    }
  }

  function startDue(): void {
    const free = concurrency - inFlight.size;
    if (free <= 0) return;
    const keys = options
      .due(concurrency + inFlight.size)
      .filter((key) => !inFlight.has(key))
      .slice(0, free);
    if (keys.length === 0) failures = 0;
    for (const key of keys) {
      inFlight.set(
        key,
        runBatch(key).finally(() => {
          inFlight.delete(key);
          pump();
        }),
      );
    }
  }

  /** Never rejects: whatever throws is logged and pauses the loop. */
  async function runBatch(key: K): Promise<void> {
    try {
      const batch = options.take(key);
      if (batch === undefined) return;
      const outcome = await options.work(batch);
      if (outcome.kind !== "done" && signal?.aborted) return;
      options.record(batch, outcome);
      failures = 0;
    } catch (error) {
      failed(error);
    }
  }

  function failed(error: unknown): void {
    failures += 1;
    const delayMs = backoffDelayMs(failures, storeFailureBaseMs, STORE_FAILURE_MAX_MS);
    pausedUntilMs = Math.max(pausedUntilMs, now() + delayMs);
    log.error({ err: error, failures, retryInMs: delayMs }, "queue work failed unexpectedly; pausing the queue");
    if (running) sleep(pausedUntilMs - now());
  }

  function sleep(ms: number): void {
    clearTimeout(timer);
    timer = setTimeout(pump, Math.max(ms, MIN_SLEEP_MS));
  }

  return {
    start() {
      running = true;
      pump();
    },
    notify: pump,
    async stop() {
      running = false;
      clearTimeout(timer);
      await Promise.all(inFlight.values());
    },
  };
}
