import type { Logger } from "../log/create-logger.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import { backoffDelayMs } from "../util/backoff.js";
import type { NotionEventStore } from "./notion-event-store.js";
import { processDealEvents, type DealEventDependencies, type DealsTarget } from "./process-deal-events.js";

/** A page is read once its events have been quiet this long: a bulk edit's burst costs one read per page. */
export const DEAL_EVENT_QUIET_MS = 1_000;
export const DEAL_EVENT_CONCURRENCY = 2;
export const DEAL_EVENT_RETRY_BASE_MS = 2_000;
export const DEAL_EVENT_RETRY_MAX_MS = 5 * 60_000;
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

export type DealEventWorkerOptions = Omit<DealEventDependencies, "deals"> & {
  logger: Logger;
  /** Called when a Slack message was queued. */
  onMessage: () => void;
  signal?: AbortSignal;
  quietMs?: number;
  retryBaseMs?: number;
  now?: () => number;
};

export type DealEventWorker = {
  /** Starts processing; until then events are only stored. */
  start(deals: DealsTarget): void;
  notify(): void;
  stop(): Promise<void>;
};

export function createDealEventWorker(options: DealEventWorkerOptions): DealEventWorker {
  const { events, logger, signal, quietMs = DEAL_EVENT_QUIET_MS, now = Date.now } = options;
  const retryBaseMs = options.retryBaseMs ?? DEAL_EVENT_RETRY_BASE_MS;
  const log = logger.child({ area: "deal-webhooks" });
  const inFlight = new Map<string, Promise<void>>();
  let deals: DealsTarget | undefined;
  let timer: NodeJS.Timeout | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  let lookPending = false;

  function pump(): void {
    if (deals === undefined) return;
    clearTimeout(timer);
    const free = DEAL_EVENT_CONCURRENCY - inFlight.size;
    for (const pageId of events
      .duePages(quietMs)
      .filter((id) => !inFlight.has(id))
      .slice(0, Math.max(0, free))) {
      const work = processPage(pageId, deals).finally(() => {
        inFlight.delete(pageId);
        pump();
      });
      inFlight.set(pageId, work);
    }
    if (events.hasQueued()) timer = setTimeout(pump, Math.max(50, Math.min(quietMs, 1_000)));
  }

  async function processPage(pageId: string, target: DealsTarget): Promise<void> {
    const batch = events.queuedFor(pageId);
    if (batch.length === 0) return;
    const ids = batch.map((event) => event.id);
    try {
      const outcome = await processDealEvents({ ...options, deals: target }, pageId, batch);
      log.info({ pageId, eventIds: ids, outcome }, "deal events settled");
      if (outcome === "notified") options.onMessage();
    } catch (error) {
      if (signal?.aborted) return;
      if (isNotionGatewayError(error) && error.retryable) {
        const attempts = Math.max(...batch.map((event) => event.attempts)) + 1;
        const delayMs = backoffDelayMs(attempts, retryBaseMs, DEAL_EVENT_RETRY_MAX_MS);
        events.retryLater(ids, now() + delayMs, error.message);
        log.warn(
          { pageId, eventIds: ids, attempts, retryInMs: delayMs, err: error },
          "deal events not processed yet; will retry",
        );
      } else {
        events.bury(ids, error instanceof Error ? error.message : String(error));
        log.error({ pageId, eventIds: ids, err: error }, "DEAL EVENTS DEAD-LETTERED: the deal could not be read");
      }
    }
  }

  function prune(): void {
    const removed = events.prune();
    if (removed > 0) log.info({ removed }, "pruned Notion event ids older than 7 days");
  }

  return {
    start(target) {
      deals = target;
      prune();
      pruneTimer = setInterval(prune, PRUNE_INTERVAL_MS);
      pruneTimer.unref();
      pump();
    },
    notify() {
      // Look again once this event's page could have gone quiet. A flood of
      // events needs one look, not one per event: later pages are picked up
      // by pump's own polling while events stay queued.
      if (lookPending) return;
      lookPending = true;
      setTimeout(() => {
        lookPending = false;
        pump();
      }, quietMs + 10).unref();
    },
    async stop() {
      deals = undefined;
      clearTimeout(timer);
      clearInterval(pruneTimer);
      await Promise.allSettled(inFlight.values());
    },
  };
}
