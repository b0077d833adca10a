import type { Logger } from "../log/create-logger.js";
import { createTokenBucket } from "../rate-limit/token-bucket.js";
import { DONE, dueAgainAtMs, retryOrBury, type BatchOutcome } from "../queue/batch-outcome.js";
import { createWorkLoop } from "../queue/create-work-loop.js";
import type { Store } from "../store/open-store.js";
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
  /** Where operator alerts go; unset: `webhookUrl`. Never used for the sales channel. */
  alertsWebhookUrl?: string | undefined;
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
  const retry = { baseMs: options.retryBaseMs ?? SLACK_RETRY_BASE_MS, maxMs: SLACK_RETRY_MAX_MS };
  const pollIntervalMs = options.pollIntervalMs ?? SLACK_POLL_INTERVAL_MS;
  const log = logger.child({ area: "slack" });
  const bucket = createTokenBucket({ db: options.db, name: "slack", ratePerSecond: SLACK_MESSAGES_PER_SECOND });

  const loop = createWorkLoop<number, OutboxItem>({
    logger: log,
    // One message at a time, oldest first: Slack shows them in the order they were sent.
    concurrency: 1,
    pollIntervalMs,
    now,
    due: () => {
      const item = outbox.nextDue();
      return item === undefined ? [] : [item.id];
    },
    take(id) {
      const item = outbox.get(id);
      return item !== undefined && outbox.claim(id, SLACK_LEASE_MS) ? item : undefined;
    },
    work: post,
    record,
    nextDueAtMs: () => outbox.earliestDueAtMs(),
  });

  /** Sends one message unless another sender holds it; says whether it was this one's to send. */
  async function send(item: OutboxItem): Promise<boolean> {
    if (!outbox.claim(item.id, SLACK_LEASE_MS)) return false;
    record(item, await post(item));
    return true;
  }

  const urlFor = (item: OutboxItem) =>
    item.channel === "alerts" ? (options.alertsWebhookUrl ?? webhookUrl) : webhookUrl;

  async function post(item: OutboxItem): Promise<BatchOutcome> {
    const url = urlFor(item);
    if (url === undefined) {
      if (item.channel === "alerts") {
        log.warn(
          { slack: item.message.text, outboxId: item.id },
          "OPERATOR ALERT (SLACK_ALERTS_WEBHOOK_URL and SLACK_WEBHOOK_URL are not set, so it is logged instead)",
        );
      } else {
        log.info(
          { slack: item.message.text, outboxId: item.id },
          "Slack message (SLACK_WEBHOOK_URL is not set, so it is logged instead)",
        );
      }
      return DONE;
    }
    await bucket.take();
    const result = await postToSlack(url, item.message, options.fetch ? { fetch: options.fetch } : {});
    if (result.ok) return DONE;
    const retryAfterMs = result.permanent ? undefined : result.retryAfterMs;
    return retryOrBury({ retryable: !result.permanent, reason: result.reason, retryAfterMs }, item.attempts + 1, retry);
  }

  function record(item: OutboxItem, outcome: BatchOutcome): void {
    if (outcome.kind === "done") {
      outbox.markSent(item.id);
      if (urlFor(item) !== undefined) log.info({ outboxId: item.id, channel: item.channel }, "Slack message sent");
    } else if (outcome.kind === "dead") {
      outbox.markDead(item.id, outcome.reason);
      log.error(
        { outboxId: item.id, reason: outcome.reason },
        "SLACK MESSAGE DEAD-LETTERED: Slack refused it; see `npm run jobs`",
      );
    } else {
      const atMs = dueAgainAtMs(outcome, now());
      outbox.markRetry(item.id, atMs, outcome.reason);
      log.warn(
        { outboxId: item.id, reason: outcome.reason, retryInMs: atMs - now() },
        "Slack message not sent yet; will retry",
      );
    }
  }

  return {
    start: loop.start,
    notify: loop.notify,
    stop: loop.stop,
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
