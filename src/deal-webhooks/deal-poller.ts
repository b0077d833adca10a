import type { Logger } from "../log/create-logger.js";
import { DONE, type BatchOutcome } from "../queue/batch-outcome.js";
import { createWorkLoop } from "../queue/create-work-loop.js";
import { pollDeals, type PollDealsDependencies } from "./poll-deals.js";
import type { DealsTarget } from "./process-deal-events.js";

export type DealPollerOptions = Omit<PollDealsDependencies, "logger"> & {
  logger: Logger;
  /** Time between the end of one poll and the start of the next. */
  intervalMs: number;
  /** Called when a poll queued Slack messages. */
  onMessage: () => void;
  signal?: AbortSignal;
};

export type DealPoller = {
  /** Polls at once, then every `intervalMs`. */
  start(deals: DealsTarget): void;
  stop(): Promise<void>;
};

const POLL = "deal poll";

/**
 * Runs pollDeals on the shared work loop: one key, so two polls never run at
 * once, and a poll that fails (Notion down, a 500 after the gateway's
 * retries) is logged and simply tried again at the next interval.
 */
export function createDealPoller(options: DealPollerOptions): DealPoller {
  const { intervalMs, signal, now = Date.now } = options;
  const log = options.logger.child({ area: "deal-poll" });
  let deals: DealsTarget | undefined;
  let nextAtMs = 0;

  const loop = createWorkLoop<typeof POLL, DealsTarget>({
    logger: log,
    concurrency: 1,
    signal,
    now,
    due: () => (deals !== undefined && now() >= nextAtMs ? [POLL] : []),
    take: () => deals,
    work: poll,
    record() {
      nextAtMs = now() + intervalMs;
    },
    nextDueAtMs: () => (deals === undefined ? undefined : nextAtMs),
  });

  async function poll(target: DealsTarget): Promise<BatchOutcome> {
    const result = await pollDeals({ ...options, logger: log, now }, target);
    const { outcome, deals: read, messages, queries } = result;
    // Messages queued before a failure are stored: send them either way.
    if (messages > 0) options.onMessage();
    if (result.outcome === "ok") {
      log.info({ deals: read, messages, queries }, "deal poll done");
      return DONE;
    }
    // A poll cut short by the server stopping is not a failure worth a warning.
    if (signal?.aborted) return { kind: "retry", afterMs: intervalMs, reason: result.error };
    log.warn(
      { outcome, deals: read, messages, queries, retryInMs: intervalMs, err: result.cause },
      "deal poll failed; it is tried again at the next poll",
    );
    return { kind: "retry", afterMs: intervalMs, reason: result.error };
  }

  return {
    start(target) {
      deals = target;
      nextAtMs = now();
      loop.start();
    },
    async stop() {
      deals = undefined;
      await loop.stop();
    },
  };
}
