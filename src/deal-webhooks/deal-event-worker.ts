import type { Logger } from "../log/create-logger.js";
import { isRetryableNotionError } from "../notion/notion-errors.js";
import { DONE, dueAgainAtMs, retryOrBuryError, type BatchOutcome } from "../queue/batch-outcome.js";
import { createWorkLoop } from "../queue/create-work-loop.js";
import type { StoredEvent } from "./notion-event-store.js";
import { processDealEvents, type DealEventDependencies, type DealsTarget } from "./process-deal-events.js";

/** A page is read once its events have been quiet this long: a bulk edit's burst costs one read per page. */
export const DEAL_EVENT_QUIET_MS = 1_000;
/** However many edits follow, a page is read at most this long after its first pending event. */
export const DEAL_EVENT_MAX_WAIT_MS = 5_000;
export const DEAL_EVENT_CONCURRENCY = 2;
export const DEAL_EVENT_RETRY_BASE_MS = 2_000;
export const DEAL_EVENT_RETRY_MAX_MS = 5 * 60_000;

export type DealEventWorkerOptions = Omit<DealEventDependencies, "deals"> & {
  logger: Logger;
  /** Called when a Slack message was queued. */
  onMessage: () => void;
  signal?: AbortSignal;
  quietMs?: number;
  /** The cap on the quiet period, counted from the oldest pending event. */
  maxWaitMs?: number;
  retryBaseMs?: number;
  now?: () => number;
};

export type DealEventWorker = {
  /** Starts processing; until then events are only stored. */
  start(deals: DealsTarget): void;
  notify(): void;
  stop(): Promise<void>;
};

type DealEventBatch = { pageId: string; events: StoredEvent[]; deals: DealsTarget };

export function createDealEventWorker(options: DealEventWorkerOptions): DealEventWorker {
  const {
    events,
    logger,
    signal,
    quietMs = DEAL_EVENT_QUIET_MS,
    maxWaitMs = Math.max(DEAL_EVENT_MAX_WAIT_MS, quietMs),
    now = Date.now,
  } = options;
  const retry = { baseMs: options.retryBaseMs ?? DEAL_EVENT_RETRY_BASE_MS, maxMs: DEAL_EVENT_RETRY_MAX_MS };
  const log = logger.child({ area: "deal-webhooks" });
  let deals: DealsTarget | undefined;
  let lookPending = false;

  const loop = createWorkLoop<string, DealEventBatch>({
    logger: log,
    concurrency: DEAL_EVENT_CONCURRENCY,
    signal,
    now,
    due: () => events.duePages(quietMs, maxWaitMs),
    take(pageId) {
      const batch = events.queuedFor(pageId);
      if (batch.length === 0 || deals === undefined) return undefined;
      return { pageId, events: batch, deals };
    },
    work: processPage,
    record,
    // While events are queued, look again often enough to catch pages going quiet.
    nextDueAtMs: () => (events.hasQueued() ? now() + Math.max(50, Math.min(quietMs, 1_000)) : undefined),
  });

  async function processPage({ pageId, events: batch, deals: target }: DealEventBatch): Promise<BatchOutcome> {
    try {
      // Settles the events itself, in the same step as the stage it records.
      const outcome = await processDealEvents({ ...options, deals: target }, pageId, batch);
      log.info({ pageId, eventIds: batch.map((event) => event.id), outcome }, "deal events settled");
      if (outcome === "notified") options.onMessage();
      return DONE;
    } catch (error) {
      return retryOrBuryError(
        error,
        Math.max(...batch.map((event) => event.attempts)) + 1,
        retry,
        isRetryableNotionError,
      );
    }
  }

  function record({ pageId, events: batch }: DealEventBatch, outcome: BatchOutcome): void {
    const ids = batch.map((event) => event.id);
    if (outcome.kind === "done") return;
    if (outcome.kind === "dead") {
      events.bury(ids, outcome.reason);
      log.error(
        { pageId, eventIds: ids, err: outcome.cause ?? outcome.reason },
        "DEAL EVENTS DEAD-LETTERED: the deal could not be read",
      );
      return;
    }
    const decidedAt = now();
    const atMs = dueAgainAtMs(outcome, decidedAt);
    events.retryLater(ids, atMs, outcome.reason);
    log.warn(
      {
        pageId,
        eventIds: ids,
        attempts: Math.max(...batch.map((event) => event.attempts)) + 1,
        retryInMs: atMs - decidedAt,
        err: outcome.cause ?? outcome.reason,
      },
      "deal events not processed yet; will retry",
    );
  }

  return {
    start(target) {
      deals = target;
      loop.start();
    },
    notify() {
      // Look again once this event's page could have gone quiet. A flood of
      // events needs one look, not one per event: later pages are picked up
      // by the loop's own polling while events stay queued.
      if (lookPending) return;
      lookPending = true;
      setTimeout(() => {
        lookPending = false;
        loop.notify();
      }, quietMs + 10).unref();
    },
    async stop() {
      deals = undefined;
      await loop.stop();
    },
  };
}
