import type { Logger } from "../log/create-logger.js";
import { createTokenBucket } from "../rate-limit/token-bucket.js";
import type { Store } from "../store/open-store.js";
import { backoffDelayMs } from "../util/backoff.js";
import { sleep } from "../util/sleep.js";
import { postToSlack } from "./post-to-slack.js";
import type { OutboxItem, SlackOutbox } from "./slack-outbox.js";

/** Slack allows about one message per second per incoming webhook; shared by every process on DATA_DIR. */
export const SLACK_MESSAGES_PER_SECOND = 1;
export const SLACK_RETRY_BASE_MS = 2_000;
export const SLACK_RETRY_MAX_MS = 5 * 60_000;
const SLACK_POLL_INTERVAL_MS = 2_000;
/** Longer than one send can take (its token wait plus Slack's timeout). */
const SLACK_LEASE_MS = 60_000;
const CLAIMED_ELSEWHERE_WAIT_MS = 250;

export type SlackSenderOptions = {
  outbox: SlackOutbox;
  db: Store;
  /** Unset: messages are written to the log instead of sent. */
  webhookUrl: string | undefined;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
  retryBaseMs?: number;
  pollIntervalMs?: number;
  now?: () => number;
};

export type SlackSender = {
  /** Sends queued messages in the background, oldest first, until stopped. */
  start(): void;
  notify(): void;
  stop(): Promise<void>;
  /**
   * Tries one message now, waiting out retries, until it is sent, dead, or
   * has used `maxAttempts`; for commands that must report how it went.
   */
  deliver(id: number, options: { maxAttempts: number }): Promise<OutboxItem>;
};

export function createSlackSender(options: SlackSenderOptions): SlackSender {
  const { outbox, webhookUrl, logger, now = Date.now } = options;
  const retryBaseMs = options.retryBaseMs ?? SLACK_RETRY_BASE_MS;
  const pollIntervalMs = options.pollIntervalMs ?? SLACK_POLL_INTERVAL_MS;
  const log = logger.child({ area: "slack" });
  const bucket = createTokenBucket({ db: options.db, name: "slack", ratePerSecond: SLACK_MESSAGES_PER_SECOND });
  let running = false;
  let pumping: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  /** Sends one message unless another sender holds it; says whether it was this one's to send. */
  async function send(item: OutboxItem): Promise<boolean> {
    if (!outbox.claim(item.id, SLACK_LEASE_MS)) return false;
    if (webhookUrl === undefined) {
      log.info(
        { slack: item.message.text, outboxId: item.id },
        "Slack message (SLACK_WEBHOOK_URL is not set, so it is logged instead)",
      );
      outbox.markSent(item.id);
      return true;
    }
    await bucket.take();
    const result = await postToSlack(webhookUrl, item.message, options.fetch ? { fetch: options.fetch } : {});
    if (result.ok) {
      outbox.markSent(item.id);
      log.info({ outboxId: item.id }, "Slack message sent");
    } else if (result.permanent) {
      outbox.markDead(item.id, result.reason);
      log.error(
        { outboxId: item.id, reason: result.reason },
        "SLACK MESSAGE DEAD-LETTERED: Slack refused it; see `npm run jobs`",
      );
    } else {
      const delayMs =
        Math.ceil(result.retryAfterMs ?? 0) || backoffDelayMs(item.attempts + 1, retryBaseMs, SLACK_RETRY_MAX_MS);
      outbox.markRetry(item.id, now() + delayMs, result.reason);
      log.warn(
        { outboxId: item.id, reason: result.reason, retryInMs: Math.round(delayMs) },
        "Slack message not sent yet; will retry",
      );
    }
    return true;
  }

  async function drain(): Promise<void> {
    for (let item = outbox.nextDue(); running && item !== undefined; item = outbox.nextDue()) await send(item);
  }

  function pump(): void {
    if (!running) return;
    clearTimeout(timer);
    pumping ??= drain()
      .catch((error: unknown) => log.error({ err: error }, "Slack sender failed unexpectedly"))
      .finally(() => {
        pumping = undefined;
        if (!running) return;
        const due = outbox.earliestDueAtMs();
        const waitMs = due === undefined ? pollIntervalMs : Math.min(pollIntervalMs, Math.max(0, due - now()));
        timer = setTimeout(pump, Math.max(waitMs, 5));
      });
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
      await pumping;
    },
    async deliver(id, { maxAttempts }) {
      for (;;) {
        const item = outbox.get(id);
        if (item === undefined) throw new Error(`no Slack message ${id}`);
        if (item.state !== "queued" || item.attempts >= maxAttempts) return item;
        await sleep(Math.max(0, item.nextAttemptAtMs - now()));
        // Another process is sending it: look again shortly.
        if (!(await send(item))) await sleep(CLAIMED_ELSEWHERE_WAIT_MS);
      }
    },
  };
}
