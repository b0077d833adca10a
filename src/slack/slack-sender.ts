import type { Logger } from "../log/create-logger.js";
import { createTokenBucket } from "../rate-limit/token-bucket.js";
import { DONE, dueAgainAtMs, retryOrBury, type BatchOutcome } from "../queue/batch-outcome.js";
import { createWorkLoop } from "../queue/create-work-loop.js";
import type { Store } from "../store/open-store.js";
import { sleep } from "../util/sleep.js";
import { fallbackText, peopleNamedIn, renderForSlack } from "./person-mention.js";
import { postToSlack, type SlackResult } from "./post-to-slack.js";
import type { SlackFile, SlackMessage } from "./slack-message.js";
import type { OutboxItem, SlackOutbox } from "./slack-outbox.js";
import type { SlackUserResolver } from "./resolve-slack-user.js";
import type { SlackApiResult, SlackWebApi } from "./slack-web-api.js";
import { SLACK_CHANNEL_ID, uploadFileToSlack } from "./upload-file.js";

/** The outbox key of the file that follows its message (SLACK_CHANNEL given by name). */
export function followingFileKey(item: Pick<OutboxItem, "id" | "dedupeKey">): string {
  return `${item.dedupeKey ?? `outbox:${item.id}`}:file`;
}

/** Slack allows about one message per second per incoming webhook or channel; shared by every process on DATA_DIR. */
export const SLACK_MESSAGES_PER_SECOND = 1;
export const SLACK_RETRY_BASE_MS = 2_000;
export const SLACK_RETRY_MAX_MS = 5 * 60_000;
const SLACK_POLL_INTERVAL_MS = 2_000;
/** Longer than one send can take (its token wait plus Slack's timeout). */
const SLACK_LEASE_MS = 60_000;
const CLAIMED_ELSEWHERE_WAIT_MS = 250;

/** App mode (SLACK_BOT_TOKEN and SLACK_CHANNEL): chat.postMessage, mentions, direct messages. */
export type SlackAppDelivery = {
  api: SlackWebApi;
  /** SLACK_CHANNEL: where every message but a direct one goes. */
  channel: string;
  users: SlackUserResolver;
};

export type SlackSenderOptions = {
  outbox: SlackOutbox;
  db: Store;
  /** Unset (and no `app`): messages are written to the log instead of sent. */
  webhookUrl: string | undefined;
  /** Where operator alerts go; unset: `webhookUrl` (or the app's channel). Never used for the sales channel. */
  alertsWebhookUrl?: string | undefined;
  /** Set: every message goes through Slack's Web API, except operator alerts when `alertsWebhookUrl` is set. */
  app?: SlackAppDelivery | undefined;
  /** App mode: SLACK_ALERTS_CHANNEL, where operator alerts go; unset (and no `alertsWebhookUrl`): the log, never `app.channel`. */
  alertsChannel?: string | undefined;
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
   * Tries one message now, waiting out retries, until it is sent, dead,
   * held (Slack refuses the route), or has used `maxAttempts`; for commands
   * that must report how it went.
   */
  deliver(id: number, options: { maxAttempts: number }): Promise<OutboxItem>;
};

export function createSlackSender(options: SlackSenderOptions): SlackSender {
  const { outbox, webhookUrl, app, logger, now = Date.now } = options;
  const retry = { baseMs: options.retryBaseMs ?? SLACK_RETRY_BASE_MS, maxMs: SLACK_RETRY_MAX_MS };
  const pollIntervalMs = options.pollIntervalMs ?? SLACK_POLL_INTERVAL_MS;
  const log = logger.child({ area: "slack" });
  const bucket = createTokenBucket({ db: options.db, name: "slack", ratePerSecond: SLACK_MESSAGES_PER_SECOND });
  // chat.postMessage's limit is about one message a second per channel, so each channel (or DM) has its own bucket.
  const channelBuckets = new Map<string, ReturnType<typeof createTokenBucket>>();
  const bucketFor = (channel: string) => {
    let found = channelBuckets.get(channel);
    if (found === undefined) {
      found = createTokenBucket({ db: options.db, name: `slack:${channel}`, ratePerSecond: SLACK_MESSAGES_PER_SECOND });
      channelBuckets.set(channel, found);
    }
    return found;
  };

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

  /** Whether a message went to Slack rather than to the log. */
  const isDelivered = (item: OutboxItem) =>
    item.channel === "alerts"
      ? options.alertsWebhookUrl !== undefined ||
        (app !== undefined ? options.alertsChannel !== undefined : webhookUrl !== undefined)
      : app !== undefined || webhookUrl !== undefined;

  async function post(item: OutboxItem): Promise<BatchOutcome> {
    // Operator alerts go to their own webhook when there is one, whatever the mode.
    const alertsUrl = item.channel === "alerts" ? options.alertsWebhookUrl : undefined;
    if (app !== undefined && alertsUrl === undefined) {
      if (item.channel !== "alerts") return classify(item, await postWithApp(app, item));
      // In app mode an operator alert goes to SLACK_ALERTS_CHANNEL, never to the sales channel.
      if (options.alertsChannel !== undefined)
        return classify(item, await postWithApp({ ...app, channel: options.alertsChannel }, item));
      log.warn(
        { slack: renderForSlack(item.message).text, outboxId: item.id },
        "OPERATOR ALERT (SLACK_ALERTS_CHANNEL and SLACK_ALERTS_WEBHOOK_URL are not set, so it is logged instead)",
      );
      return DONE;
    }
    if (item.message.dm !== undefined) {
      log.info({ outboxId: item.id }, "direct message not sent: direct messages need Slack app mode (SLACK_BOT_TOKEN)");
      return DONE;
    }
    const message = renderForSlack(item.message);
    const url = alertsUrl ?? webhookUrl;
    if (url === undefined) {
      if (item.channel === "alerts") {
        log.warn(
          { slack: message.text, outboxId: item.id },
          "OPERATOR ALERT (SLACK_ALERTS_WEBHOOK_URL and SLACK_WEBHOOK_URL are not set, so it is logged instead)",
        );
      } else {
        log.info(
          { slack: message.text, outboxId: item.id },
          "Slack message (SLACK_WEBHOOK_URL is not set, so it is logged instead)",
        );
      }
      return DONE;
    }
    await bucket.take();
    return classify(item, await postToSlack(url, message, options.fetch ? { fetch: options.fetch } : {}));
  }

  /** chat.postMessage to the channel or, for a direct message, to the person's Slack user; owners mentioned when known. */
  async function postWithApp(delivery: SlackAppDelivery, item: OutboxItem): Promise<SlackResult | "no-recipient"> {
    let channel = delivery.channel;
    if (item.message.dm !== undefined) {
      const recipient = await delivery.users.resolve(item.message.dm.notionUserId);
      // Not known for now (Notion or Slack failing): the message waits and tries again, like any failed send.
      if (!recipient.settled)
        return { ok: false, permanent: false, reason: "the recipient's Slack user could not be looked up" };
      if (recipient.slackUserId === undefined) return "no-recipient";
      channel = recipient.slackUserId;
    }
    // Looked up side by side: each lookup has its own time limit, so a message is never held past its lease.
    const mentions = new Map<string, string>();
    await Promise.all(
      peopleNamedIn(item.message).map(async (notionUserId) => {
        const { slackUserId } = await delivery.users.resolve(notionUserId);
        if (slackUserId !== undefined) mentions.set(notionUserId, slackUserId);
      }),
    );
    const message: SlackMessage = renderForSlack(item.message, (id) => mentions.get(id));
    await bucketFor(channel).take();
    const file = item.message.dm === undefined ? item.message.file : undefined;
    const result =
      file === undefined
        ? await delivery.api.post("chat.postMessage", {
            channel,
            text: fallbackText(message),
            ...(message.blocks !== undefined && { blocks: message.blocks }),
          })
        : await shareFile(delivery, item, file, message);
    if (result.ok) return { ok: true };
    if (result.permanent)
      return { ok: false, permanent: true, reason: result.reason, ...(result.route && { route: true }) };
    return {
      ok: false,
      permanent: false,
      reason: result.reason,
      ...(result.retryAfterMs !== undefined && { retryAfterMs: result.retryAfterMs }),
    };
  }

  /**
   * A message with a file (the report's chart): shared into the channel with
   * the message in one files.completeUploadExternal. That takes a channel id:
   * with SLACK_CHANNEL given by name the message goes first, and the file
   * follows as a message of its own once Slack has said the channel's id.
   */
  async function shareFile(
    delivery: SlackAppDelivery,
    item: OutboxItem,
    file: SlackFile,
    message: SlackMessage,
  ): Promise<SlackApiResult> {
    const upload = { filename: file.filename, title: file.title, bytes: Buffer.from(file.contentBase64, "base64") };
    if (file.channelId !== undefined) {
      const shared = await uploadFileToSlack(delivery.api, { ...upload, channelId: file.channelId });
      // No files:write: the file is this message's own problem (its words went first), not the channel's: dead, not held.
      if (!shared.ok && shared.error === "missing_scope") {
        const { route: _channels, ...own } = shared;
        return own;
      }
      return shared;
    }
    if (SLACK_CHANNEL_ID.test(delivery.channel)) {
      const shared = await uploadFileToSlack(delivery.api, {
        ...upload,
        channelId: delivery.channel,
        text: fallbackText(message),
        blocks: message.blocks,
      });
      if (shared.ok || shared.error !== "missing_scope") return shared;
      // No files:write: the words still go out, without the file (`npm run check` names the scope).
      log.warn(
        { outboxId: item.id, reason: shared.reason },
        "file not shared: the Slack app lacks files:write; message posted without it",
      );
      return delivery.api.post("chat.postMessage", {
        channel: delivery.channel,
        text: fallbackText(message),
        ...(message.blocks !== undefined && { blocks: message.blocks }),
      });
    }
    const posted = await delivery.api.post("chat.postMessage", {
      channel: delivery.channel,
      text: fallbackText(message),
      ...(message.blocks !== undefined && { blocks: message.blocks }),
    });
    const channelId = posted.ok ? posted.body["channel"] : undefined;
    if (typeof channelId === "string") {
      outbox.enqueue({ text: file.title, file: { ...file, channelId } }, followingFileKey(item), item.channel);
      loop.notify();
    }
    return posted;
  }

  function classify(item: OutboxItem, result: SlackResult | "no-recipient"): BatchOutcome {
    if (result === "no-recipient") {
      log.info(
        { outboxId: item.id, notionUserId: item.message.dm?.notionUserId },
        "direct message not sent: the person has no Slack user this app can find",
      );
      return DONE;
    }
    if (result.ok) return DONE;
    // The token, webhook or channel is refused: every message would be, so they wait for a person's fix.
    if (result.permanent && result.route)
      return { kind: "hold", untilMs: Number.MAX_SAFE_INTEGER, reason: result.reason };
    const retryAfterMs = result.permanent ? undefined : result.retryAfterMs;
    return retryOrBury({ retryable: !result.permanent, reason: result.reason, retryAfterMs }, item.attempts + 1, retry);
  }

  function record(item: OutboxItem, outcome: BatchOutcome): void {
    if (outcome.kind === "done") {
      outbox.markSent(item.id);
      if (isDelivered(item)) log.info({ outboxId: item.id, channel: item.channel }, "Slack message sent");
    } else if (outcome.kind === "hold") {
      const first = outbox.heldCount() === 0;
      outbox.hold(item.id, outcome.reason);
      // Said in the log whatever else fails: the alert's own route may be the refused one.
      if (first)
        log.error(
          { outboxId: item.id, reason: outcome.reason },
          "OPERATOR ALERT: SLACK REFUSES THE TOKEN, WEBHOOK OR CHANNEL; Slack messages are held, not lost. Fix the Slack settings, then `npm run check` (or `npm run jobs -- retry-slack`) sends them",
        );
      else log.warn({ outboxId: item.id, reason: outcome.reason }, "Slack message held: Slack refuses the route");
    } else if (outcome.kind === "dead") {
      outbox.markDead(item.id, outcome.reason);
      log.error(
        { outboxId: item.id, reason: outcome.reason },
        "SLACK MESSAGE DEAD-LETTERED: Slack refused it; see `npm run jobs`",
      );
    } else {
      const decidedAt = now();
      const atMs = dueAgainAtMs(outcome, decidedAt);
      outbox.markRetry(item.id, atMs, outcome.reason);
      log.warn(
        { outboxId: item.id, reason: outcome.reason, retryInMs: atMs - decidedAt },
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
        // Held: Slack refuses the route; it waits for a person's fix, not for more tries.
        if (item.state !== "queued" || item.heldSinceMs !== undefined || item.attempts >= maxAttempts) return item;
        await sleep(Math.max(0, item.nextAttemptAtMs - now()));
        // Another process is sending it: look again shortly.
        if (!(await send(item))) await sleep(CLAIMED_ELSEWHERE_WAIT_MS);
      }
    },
  };
}
