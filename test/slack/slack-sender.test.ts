import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSlackOutbox, type SlackOutbox } from "../../src/slack/slack-outbox.js";
import { createSlackSender, type SlackSender } from "../../src/slack/slack-sender.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger, type CapturedLogger } from "../support/capture-logger.js";
import { eventually } from "../support/crm-harness.js";
import { startSlackReceiver } from "../support/slack-receiver.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("the Slack sender", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let outbox: SlackOutbox;
  let log: CapturedLogger;
  let slack: Awaited<ReturnType<typeof startSlackReceiver>>;
  let sender: SlackSender | undefined;

  /** null: no webhook URL configured. */
  const start = (webhookUrl: string | null = slack.url) => {
    sender = createSlackSender({
      outbox,
      db,
      webhookUrl: webhookUrl ?? undefined,
      logger: log.logger,
      retryBaseMs: 50,
      pollIntervalMs: 50,
    });
    sender.start();
    return sender;
  };

  beforeEach(async () => {
    dir = makeTempDir();
    db = openStore(dir.path);
    outbox = createSlackOutbox(db);
    log = captureLogger();
    slack = await startSlackReceiver();
  });
  afterEach(async () => {
    await sender?.stop();
    sender = undefined;
    await slack.stop();
    db.close();
    dir.remove();
  });

  it("posts a queued message once", async () => {
    outbox.enqueue({ text: "hello" });
    start();
    await eventually(() => expect(slack.received.map((m) => m.body.text)).toEqual(["hello"]));
    // Sent is final, and stop() waits for any send in flight: after it, no post can follow.
    await eventually(() => expect(outbox.list("sent")).toHaveLength(1));
    await sender!.stop();
    expect(slack.attempts()).toBe(1);
  });

  it("queues a message with a used dedupe key only once", () => {
    const first = outbox.enqueue({ text: "won" }, "deal:1:won");
    const second = outbox.enqueue({ text: "won again" }, "deal:1:won");
    expect(second).toEqual({ item: first.item, duplicate: true });
  });

  it("waits out a 429's Retry-After, then delivers once", async () => {
    slack.replyNext({ status: 429, body: "rate_limited", headers: { "retry-after": "1" } });
    const { item } = outbox.enqueue({ text: "after the limit" });
    start();
    // The receiver records a message before it answers; the sender marks it sent after.
    await eventually(() => expect(outbox.get(item.id)).toMatchObject({ state: "sent", attempts: 2 }), {
      timeoutMs: 5_000,
    });
    expect(slack.received).toHaveLength(1);
    expect(slack.attempts()).toBe(2);
    expect(slack.received[0]!.at - outbox.get(item.id)!.createdAtMs).toBeGreaterThanOrEqual(990);
  });

  it("retries 5xx answers with backoff", async () => {
    slack.replyNext({ status: 500 }, { status: 503 });
    outbox.enqueue({ text: "eventually" });
    start();
    await eventually(() => expect(slack.received).toHaveLength(1));
    expect(slack.attempts()).toBe(3);
  });

  it("delivers what was queued while Slack was unreachable once it is back", async () => {
    const url = slack.url;
    await slack.stop();
    outbox.enqueue({ text: "queued while down" });
    start(url);
    await eventually(() =>
      expect(log.lines()).toContainEqual(
        expect.objectContaining({ msg: "Slack message not sent yet; will retry", reason: "ECONNREFUSED" }),
      ),
    );
    const port = Number(new URL(url).port);
    const { createServer } = await import("node:http");
    const bodies: string[] = [];
    const back = createServer((req, res) => {
      let raw = "";
      req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
      req.on("end", () => {
        bodies.push(raw);
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => back.listen(port, "127.0.0.1", resolve));
    try {
      await eventually(
        () => expect(bodies.map((raw) => (JSON.parse(raw) as { text: string }).text)).toEqual(["queued while down"]),
        { timeoutMs: 5_000 },
      );
    } finally {
      back.closeAllConnections();
      await new Promise((resolve) => back.close(resolve));
    }
  });

  it("dead-letters a message Slack refuses with invalid_payload (the message's own error), loudly, without retrying", async () => {
    slack.replyNext({ status: 400, body: "invalid_payload" });
    const { item } = outbox.enqueue({ text: "refused" });
    start();
    await eventually(() => expect(outbox.get(item.id)?.state).toBe("dead"));
    expect(log.lines()).toContainEqual(
      expect.objectContaining({ level: 50, msg: expect.stringContaining("SLACK MESSAGE DEAD-LETTERED") }),
    );
    await sender!.stop();
    expect(slack.attempts()).toBe(1);
  });

  it.each(["channel_not_found", "channel_is_archived", "action_prohibited", "no_service"])(
    "holds a message Slack refuses with %s (the webhook's error, not the message's), loudly, without retrying",
    async (reason) => {
      const status = reason === "channel_is_archived" ? 410 : reason === "action_prohibited" ? 403 : 404;
      slack.replyNext({ status, body: reason });
      const { item } = outbox.enqueue({ text: "refused" });
      start();
      await eventually(() => expect(outbox.get(item.id)?.heldSinceMs).toBeDefined());
      expect(outbox.get(item.id)?.lastError).toContain(reason);
      expect(log.lines()).toContainEqual(
        expect.objectContaining({ level: 50, msg: expect.stringContaining("SLACK REFUSES THE TOKEN") }),
      );
      // Held until released, and stop() waits for any send in flight: after it, no post can follow.
      await sender!.stop();
      expect(slack.attempts()).toBe(1);
    },
  );

  it("sends at most about one message per second", async () => {
    for (const text of ["one", "two", "three"]) outbox.enqueue({ text });
    const startedAt = Date.now();
    start();
    await eventually(() => expect(slack.received).toHaveLength(3), { timeoutMs: 20_000 });
    // The k-th message no sooner than k seconds after the start: a busy machine can only make it later.
    slack.received.forEach((message, k) => expect(message.at - startedAt).toBeGreaterThanOrEqual(k * 1000 - 2));
    expect(slack.received.map((m) => m.body.text)).toEqual(["one", "two", "three"]);
  });

  it("writes messages to the log when no webhook URL is set", async () => {
    outbox.enqueue({ text: "to the log" });
    start(null);
    await eventually(() => expect(log.lines()).toContainEqual(expect.objectContaining({ slack: "to the log" })));
    expect(slack.attempts()).toBe(0);
  });

  it("never logs the webhook URL", async () => {
    const { logger, raw } = captureLogger({ secrets: [slack.url] });
    slack.replyNext({ status: 500, body: "oops" });
    outbox.enqueue({ text: "x" });
    sender = createSlackSender({ outbox, db, webhookUrl: slack.url, logger, retryBaseMs: 50, pollIntervalMs: 50 });
    sender.start();
    await eventually(() => expect(slack.received).toHaveLength(1));
    expect(raw.join("\n")).not.toContain("test-hook-secret");
  });

  it("deliver() reports a message still undelivered after its attempts", async () => {
    slack.replyNext({ status: 500 }, { status: 500 }, { status: 500 });
    const { item } = outbox.enqueue({ text: "digest" });
    sender = createSlackSender({ outbox, db, webhookUrl: slack.url, logger: log.logger, retryBaseMs: 20 });
    const result = await sender.deliver(item.id, { maxAttempts: 3 });
    expect(result).toMatchObject({ state: "queued", attempts: 3 });
    expect(slack.attempts()).toBe(3);
  });
});
