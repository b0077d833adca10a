import { afterEach, beforeEach, expect, it } from "vitest";
import { context, fitToSlackLimits, SLACK_SECTION_MAX_CHARS } from "../../src/slack/slack-message.js";
import { createSlackOutbox, type SlackOutbox } from "../../src/slack/slack-outbox.js";
import { createSlackSender, type SlackAppDelivery, type SlackSender } from "../../src/slack/slack-sender.js";
import type { SlackUserResolver } from "../../src/slack/resolve-slack-user.js";
import { createSlackWebApi } from "../../src/slack/slack-web-api.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger, type CapturedLogger } from "../support/capture-logger.js";
import { eventually } from "../support/crm-harness.js";
import { startSlackReceiver } from "../support/slack-receiver.js";
import { startSlackWebApiFake, type SlackWebApiFake } from "../support/slack-web-api.js";
import { makeTempDir } from "../support/temp-dir.js";

const SALES = "C0SALES0001";
const ALERTS = "C0ALERTS001";

let dir: ReturnType<typeof makeTempDir>;
let db: Store;
let outbox: SlackOutbox;
let slack: SlackWebApiFake;
let log: CapturedLogger;
let sender: SlackSender | undefined;
const stops: Array<() => Promise<void>> = [];

beforeEach(async () => {
  dir = makeTempDir();
  db = openStore(dir.path);
  outbox = createSlackOutbox(db);
  slack = await startSlackWebApiFake({
    channels: [
      { id: SALES, name: "sales", isMember: true },
      { id: ALERTS, name: "ops-alerts", isMember: true },
    ],
  });
  log = captureLogger();
});
afterEach(async () => {
  await sender?.stop();
  sender = undefined;
  await Promise.all(stops.splice(0).map((stop) => stop()));
  await slack.stop();
  db.close();
  dir.remove();
});

// These messages name nobody, so no Slack user is ever looked up.
const noUsers: SlackUserResolver = {
  resolve: () => Promise.reject(new Error("no user lookup expected")),
} as unknown as SlackUserResolver;

function app(): SlackAppDelivery {
  return { api: createSlackWebApi({ token: slack.token, apiUrl: slack.url }), channel: SALES, users: noUsers };
}

function startSender(extra: { alertsChannel?: string } = {}) {
  sender = createSlackSender({
    outbox,
    db,
    webhookUrl: undefined,
    app: app(),
    logger: log.logger,
    pollIntervalMs: 20,
    retryBaseMs: 20,
    ...extra,
  });
  sender.start();
}

const postedTo = (channel: string) => slack.posted.filter((message) => message.channel === channel).map((m) => m.text);

it("holds every message while Slack refuses the token, tells the log, and sends them once released", async () => {
  // Slack's documented chat.postMessage error for a revoked token: HTTP 200 {"ok":false,"error":"token_revoked"}.
  slack.replyNext("chat.postMessage", { error: "token_revoked" });
  const first = outbox.enqueue({ text: "deal won" }).item;
  const second = outbox.enqueue({ text: "deal lost" }).item;
  startSender();
  await eventually(() => expect(outbox.heldCount()).toBe(2));
  expect(outbox.get(first.id)).toMatchObject({ state: "queued", lastError: "chat.postMessage: token_revoked" });
  expect(outbox.list("dead")).toEqual([]);
  // One try found the route refused: the message behind it in the channel is held with it, not tried.
  expect(slack.callsOf("chat.postMessage")).toHaveLength(1);
  const later = outbox.enqueue({ text: "deal moved to negotiation" }).item;
  expect(outbox.get(later.id)?.heldSinceMs).toBeDefined();
  const alerts = log.lines().filter((line) => line.msg.startsWith("OPERATOR ALERT: SLACK REFUSES"));
  expect(alerts).toHaveLength(1);
  expect(postedTo(SALES)).toEqual([]);

  // The token is fixed; `check` (or `npm run jobs -- retry-slack`) releases them.
  expect(outbox.releaseHeld()).toBe(3);
  sender!.notify();
  await eventually(() => expect(postedTo(SALES)).toEqual(["deal won", "deal lost", "deal moved to negotiation"]));
  expect(outbox.get(second.id)?.state).toBe("sent");
});

it("dead-letters messages_tab_disabled, team_not_found and msg_blocks_too_long at once instead of retrying them", async () => {
  slack.replyNext(
    "chat.postMessage",
    { error: "messages_tab_disabled" },
    { error: "msg_blocks_too_long" },
    { error: "team_not_found" },
  );
  const ids = ["a", "b", "c"].map((text) => outbox.enqueue({ text }).item.id);
  startSender();
  // team_not_found is the workspace's, not the message's: held like a revoked token (a hold is not a try).
  // The other two are the message's own: dead after one try.
  const described = () =>
    ids
      .map((id) => outbox.get(id))
      .map((item) => `${item?.state}:${item?.attempts}:${item?.heldSinceMs !== undefined}`);
  await eventually(() => expect(described()).toEqual(["dead:1:false", "dead:1:false", "queued:0:true"]));
  expect(slack.callsOf("chat.postMessage")).toHaveLength(3);
});

it("cuts a context element over 3,000 characters (Slack's limit) instead of having the message refused", () => {
  const fitted = fitToSlackLimits({ text: "note", blocks: [context("x".repeat(5_000))] });
  const block = fitted.blocks?.[0];
  expect(block?.type).toBe("context");
  const text = block?.type === "context" ? block.elements[0]!.text : "";
  expect(text.length).toBe(SLACK_SECTION_MAX_CHARS);
  expect(text.endsWith("…")).toBe(true);
});

it("sends a queued message with a long context block, cut, rather than dead-lettering it", async () => {
  const receiver = await startSlackReceiver();
  stops.push(receiver.stop);
  const { item } = outbox.enqueue({ text: "long", blocks: [context("y".repeat(4_000))] });
  sender = createSlackSender({ outbox, db, webhookUrl: receiver.url, logger: log.logger, pollIntervalMs: 20 });
  sender.start();
  await eventually(() => expect(outbox.get(item.id)?.state).toBe("sent"));
  const blocks = receiver.received[0]?.body.blocks as Array<{ elements: Array<{ text: string }> }>;
  expect(blocks[0]!.elements[0]!.text.length).toBe(SLACK_SECTION_MAX_CHARS);
});

it("in app mode sends operator alerts to SLACK_ALERTS_CHANNEL, never to the sales channel", async () => {
  outbox.enqueue({ text: "notion refuses creates" }, undefined, "alerts");
  outbox.enqueue({ text: "deal won" });
  startSender({ alertsChannel: ALERTS });
  await eventually(() => expect(postedTo(ALERTS)).toEqual(["notion refuses creates"]));
  await eventually(() => expect(postedTo(SALES)).toEqual(["deal won"]));
});

it("in app mode without SLACK_ALERTS_CHANNEL or an alerts webhook, logs operator alerts instead of posting them to sales", async () => {
  const { item } = outbox.enqueue({ text: "dead letters" }, undefined, "alerts");
  outbox.enqueue({ text: "deal won" });
  startSender();
  await eventually(() => expect(postedTo(SALES)).toEqual(["deal won"]));
  expect(outbox.get(item.id)?.state).toBe("sent");
  expect(log.lines().find((line) => line.msg.startsWith("OPERATOR ALERT ("))).toMatchObject({ slack: "dead letters" });
});
