import { afterEach, describe, expect, it } from "vitest";
import type { NotionEmulatorOptions } from "@notion-crm/notion-emulator";
import { dealStageMessage, ownerDealMessage } from "../../src/deal-webhooks/deal-stage-message.js";
import { createNotionGateway } from "../../src/notion/notion-gateway.js";
import { slackAppFromConfig } from "../../src/slack/slack-app-from-config.js";
import type { SlackMessage } from "../../src/slack/slack-message.js";
import { createSlackOutbox, type SlackOutbox } from "../../src/slack/slack-outbox.js";
import { createSlackSender, type SlackSender } from "../../src/slack/slack-sender.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger, type CapturedLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { eventually } from "../support/crm-harness.js";
import { startSlackReceiver } from "../support/slack-receiver.js";
import { FAKE_SLACK_TOKEN, startSlackWebApiFake, type SlackWebApiFake } from "../support/slack-web-api.js";
import { makeTempDir } from "../support/temp-dir.js";

const CHANNEL = "C0SALES0001";
const DANA_EMAIL = "dana@acme.test";
const DANA_SLACK = "U0DANA0001";

describe("the Slack sender in app mode (SLACK_BOT_TOKEN and SLACK_CHANNEL)", () => {
  let crm: CrmEmulator;
  let slack: SlackWebApiFake;
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let outbox: SlackOutbox;
  let log: CapturedLogger;
  let sender: SlackSender | undefined;
  let dana: string;

  async function start({
    emulator = { userInformation: "with_email" },
    token = FAKE_SLACK_TOKEN,
    channel = CHANNEL,
    slackUsers = { [DANA_EMAIL]: DANA_SLACK },
  }: {
    emulator?: NotionEmulatorOptions;
    token?: string;
    channel?: string;
    slackUsers?: Record<string, string>;
  } = {}) {
    crm = await startCrmEmulator(emulator);
    dana = crm.emulator.admin.addUser("Dana Lee", { email: DANA_EMAIL });
    slack = await startSlackWebApiFake({ users: slackUsers });
    dir = makeTempDir();
    db = openStore(dir.path);
    outbox = createSlackOutbox(db);
    log = captureLogger({ secrets: [token] });
    const notion = createNotionGateway({
      token: crm.emulator.token,
      baseUrl: crm.emulator.url,
      requestsPerMinute: 60_000,
      db,
      logger: log.logger,
      backoffBaseMs: 10,
      attemptTimeoutMs: 2_000,
    });
    const app = slackAppFromConfig(
      { SLACK_BOT_TOKEN: token, SLACK_CHANNEL: channel, SLACK_API_URL: slack.url },
      { db, notion, logger: log.logger },
    );
    sender = createSlackSender({
      outbox,
      db,
      webhookUrl: undefined,
      app,
      logger: log.logger,
      retryBaseMs: 50,
      pollIntervalMs: 50,
    });
    sender.start();
  }

  afterEach(async () => {
    await sender?.stop();
    sender = undefined;
    await slack?.stop();
    await crm?.stop();
    db?.close();
    dir?.remove();
  });

  const alert = (owners: Array<{ id: string; name: string | null }> = [{ id: dana, name: "Dana Lee" }]) =>
    dealStageMessage({
      dealName: "Lee & Sons website",
      from: "proposal",
      to: "negotiation",
      value: "$12,000",
      owners,
      url: "https://www.notion.so/Lee-Sons-website-0123",
    });
  const enqueue = (message: SlackMessage) => outbox.enqueue(message).item;
  const sent = async (id: number) => {
    await eventually(() => expect(outbox.get(id)?.state).toBe("sent"));
  };
  const userReads = () => crm.emulator.stats.count({ method: "GET", path: /^\/v1\/users\/[^/]+$/ });

  it("posts with chat.postMessage, Block Kit and a fallback text with the same words, mentioning the owner", async () => {
    await start();
    await sent(enqueue(alert()).id);
    expect(slack.posted).toHaveLength(1);
    const [message] = slack.posted;
    expect(message!.channel).toBe(CHANNEL);
    expect(message!.blocks).toEqual([
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: "🤝 Deal in negotiation: *Lee &amp; Sons website* — $12,000 (proposal → negotiation)",
          // Text from users: a literal @here in a deal name cannot ping.
          verbatim: true,
        },
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `Owner: <@${DANA_SLACK}> · <https://www.notion.so/Lee-Sons-website-0123|Open in Notion>`,
            verbatim: true,
          },
        ],
      },
    ]);
    expect(message!.text).toBe(
      "🤝 Deal in negotiation: *Lee &amp; Sons website* — $12,000 (proposal → negotiation)\n" +
        `Owner: <@${DANA_SLACK}> · <https://www.notion.so/Lee-Sons-website-0123|Open in Notion>`,
    );
    // Every call carried the bot token; the owner's email came from Notion's user endpoint.
    expect(slack.calls.every((call) => call.authorized)).toBe(true);
    expect(slack.callsOf("users.lookupByEmail").map((call) => call.args["email"])).toEqual([DANA_EMAIL]);
    expect(userReads()).toBe(1);
  });

  it("names the owner in plain text when Notion withholds emails, and still posts", async () => {
    await start({ emulator: {} });
    await sent(enqueue(alert()).id);
    expect(JSON.stringify(slack.posted[0]!.blocks)).toContain("Owner: Dana Lee ·");
    expect(slack.posted[0]!.text).not.toContain("<@");
    expect(slack.callsOf("users.lookupByEmail")).toHaveLength(0);
  });

  it("names the owner in plain text when no Slack user has their email, and still posts", async () => {
    await start({ slackUsers: {} });
    await sent(enqueue(alert()).id);
    expect(slack.callsOf("users.lookupByEmail")).toHaveLength(1);
    expect(slack.posted[0]!.text).toContain("Owner: Dana Lee ·");
  });

  it.each(["users_not_found", "user_not_found"])(
    "remembers Slack's %s as a miss: a second alert looks nothing up",
    async (error) => {
      await start();
      slack.replyNext("users.lookupByEmail", { error });
      await sent(enqueue(alert()).id);
      await sent(enqueue(alert()).id);
      expect(slack.callsOf("users.lookupByEmail")).toHaveLength(1);
      expect(slack.posted.map((message) => message.text.includes("Owner: Dana Lee ·"))).toEqual([true, true]);
    },
  );

  it("escapes an owner's name, and calls a nameless owner someone", async () => {
    await start({ slackUsers: {} });
    const ghost = crm.emulator.admin.addUser("Ghost");
    await sent(
      enqueue(
        alert([
          { id: ghost, name: "<!channel> Eve" },
          { id: dana, name: null },
        ]),
      ).id,
    );
    expect(slack.posted[0]!.text).toContain("Owner: &lt;!channel&gt; Eve, someone ·");
  });

  it("still posts when the lookup itself fails (Slack answers an error), naming the owner", async () => {
    await start();
    slack.replyNext("users.lookupByEmail", { status: 500 });
    await sent(enqueue(alert()).id);
    expect(slack.posted[0]!.text).toContain("Owner: Dana Lee ·");
    // A failure that may pass is not remembered: the next alert asks again, and mentions.
    await sent(enqueue(alert()).id);
    expect(slack.posted[1]!.text).toContain(`Owner: <@${DANA_SLACK}>`);
    expect(slack.callsOf("users.lookupByEmail")).toHaveLength(2);
  });

  it("remembers the owner's Slack user: a second alert looks nothing up", async () => {
    await start();
    await sent(enqueue(alert()).id);
    await sent(enqueue(alert()).id);
    expect(slack.posted.map((message) => message.text.includes(`<@${DANA_SLACK}>`))).toEqual([true, true]);
    expect(slack.callsOf("users.lookupByEmail")).toHaveLength(1);
    expect(userReads()).toBe(1);
  });

  it("remembers a miss too: a second alert for an owner without an email reads no user again", async () => {
    await start({ emulator: {} });
    await sent(enqueue(alert()).id);
    await sent(enqueue(alert()).id);
    expect(userReads()).toBe(1);
    expect(slack.posted).toHaveLength(2);
  });

  it("sends a direct message to the owner's Slack user", async () => {
    await start();
    const transition = {
      dealName: "Acme",
      from: "proposal",
      to: "negotiation",
      value: "$5,000",
      owners: [{ id: dana, name: "Dana Lee" }],
      url: "https://www.notion.so/Acme-1",
    };
    await sent(enqueue(ownerDealMessage(transition, { id: dana, name: "Dana Lee" })).id);
    expect(slack.posted.map((message) => [message.channel, message.text])).toEqual([
      [
        DANA_SLACK,
        "🤝 Your deal is in negotiation: *Acme* — $5,000 (proposal → negotiation)\n<https://www.notion.so/Acme-1|Open in Notion>",
      ],
    ]);
  });

  it("drops a direct message for an owner with no Slack user, with a log line, and sends the next message", async () => {
    await start({ slackUsers: {} });
    const dm = enqueue({ text: "for Dana", dm: { notionUserId: dana } });
    const next = enqueue({ text: "for the channel" });
    await sent(next.id);
    expect(outbox.get(dm.id)?.state).toBe("sent");
    expect(slack.posted.map((message) => message.channel)).toEqual([CHANNEL]);
    expect(log.lines()).toContainEqual(
      expect.objectContaining({ msg: expect.stringContaining("direct message not sent"), outboxId: dm.id }),
    );
  });

  it("keeps a direct message whose recipient could not be looked up for now, and sends it once the lookup works", async () => {
    await start();
    slack.replyNext("users.lookupByEmail", { status: 500 });
    const { id } = enqueue({ text: "for Dana", dm: { notionUserId: dana } });
    await sent(id);
    expect(outbox.get(id)?.attempts).toBe(2);
    expect(slack.callsOf("users.lookupByEmail")).toHaveLength(2);
    expect(slack.posted.map((message) => [message.channel, message.text])).toEqual([[DANA_SLACK, "for Dana"]]);
  });

  it.each([
    ["a wrong token", { token: "xoxb-wrong-token" }, "invalid_auth"],
    ["a channel that does not exist", { channel: "C0NOPE0000" }, "channel_not_found"],
  ])("holds a message refused for %s, loudly, after one call", async (_case, settings, error) => {
    await start(settings);
    const { id } = enqueue(alert([]));
    await eventually(() => expect(outbox.get(id)?.heldSinceMs).toBeDefined());
    expect(outbox.get(id)).toMatchObject({ state: "queued", lastError: `chat.postMessage: ${error}` });
    expect(log.lines()).toContainEqual(
      expect.objectContaining({ level: 50, msg: expect.stringContaining("SLACK REFUSES THE TOKEN") }),
    );
    // Held until a person releases it, and stop() waits for any send in flight: after it, no post can follow.
    await sender!.stop();
    expect(slack.callsOf("chat.postMessage")).toHaveLength(1);
    expect(log.raw.join("\n")).not.toContain("xoxb-wrong-token");
  });

  it.each(["not_in_channel", "is_archived", "missing_scope", "account_inactive", "token_revoked"])(
    "holds the outbox on %s without retrying (the route's error, not the message's)",
    async (error) => {
      await start();
      slack.replyNext("chat.postMessage", { error });
      const { id } = enqueue({ text: "refused" });
      await eventually(() => expect(outbox.get(id)?.heldSinceMs).toBeDefined());
      expect(outbox.get(id)?.state).toBe("queued");
      expect(outbox.get(id)?.lastError).toBe(`chat.postMessage: ${error}`);
      expect(slack.callsOf("chat.postMessage")).toHaveLength(1);
    },
  );

  it("retries other errors with backoff, then delivers once", async () => {
    await start();
    slack.replyNext("chat.postMessage", { error: "internal_error" }, { status: 503 });
    const { id } = enqueue({ text: "eventually" });
    await sent(id);
    expect(outbox.get(id)?.attempts).toBe(3);
    expect(slack.posted.map((message) => message.text)).toEqual(["eventually"]);
  });

  it("waits out a 429's Retry-After before sending again", async () => {
    await start();
    slack.replyNext("chat.postMessage", { status: 429, retryAfterSeconds: 1 });
    const { id } = enqueue({ text: "after the limit" });
    await sent(id);
    const [refused, accepted] = slack.callsOf("chat.postMessage");
    expect(slack.callsOf("chat.postMessage")).toHaveLength(2);
    expect(outbox.get(id)?.attempts).toBe(2);
    const retry = log.lines().find((line) => line.msg === "Slack message not sent yet; will retry");
    expect(retry).toMatchObject({ reason: "chat.postMessage: rate_limited" });
    expect(retry?.["retryInMs"]).toBeGreaterThanOrEqual(990);
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(990);
  });

  it("under a 429 storm pauses each channel once and keeps the order; another place is not held up", async () => {
    await start();
    slack.replyNext("chat.postMessage", { status: 429, retryAfterSeconds: 1 });
    const ids = ["first", "second", "third"].map((text) => enqueue({ text }).id);
    const dm = enqueue({ text: "to Dana", dm: { notionUserId: dana } }).id;
    for (const id of [...ids, dm]) await sent(id);
    const toChannel = slack.posted.filter((message) => message.channel === CHANNEL).map((message) => message.text);
    expect(toChannel).toEqual(["first", "second", "third"]);
    // One refused call (the first message's), one pause: the others waited behind it instead of hitting the limit.
    expect(slack.callsOf("chat.postMessage")).toHaveLength(5);
    expect(log.lines().filter((line) => line.msg === "Slack message not sent yet; will retry")).toHaveLength(1);
    expect(ids.map((id) => outbox.get(id)?.attempts)).toEqual([2, 1, 1]);
    // Dana's direct message is another place: it went out during the channel's pause.
    expect(slack.posted.findIndex((message) => message.text === "to Dana")).toBeLessThan(
      slack.posted.findIndex((message) => message.text === "first"),
    );
  });

  it("paces each channel with its own bucket in the shared state file", async () => {
    await start();
    await sent(enqueue({ text: "to the channel" }).id);
    await sent(enqueue({ text: "to Dana", dm: { notionUserId: dana } }).id);
    const buckets = db.prepare("SELECT name FROM rate_bucket ORDER BY name").all() as Array<{ name: string }>;
    expect(buckets.map((row) => row.name)).toEqual(expect.arrayContaining([`slack:${CHANNEL}`, `slack:${DANA_SLACK}`]));
    expect(slack.posted.map((message) => message.channel)).toEqual([CHANNEL, DANA_SLACK]);
  });
});

describe("the Slack sender in webhook mode, with app-mode messages in the outbox", () => {
  it("posts names in plain text and exactly text and blocks, and sends no direct message", async () => {
    const dir = makeTempDir();
    const db = openStore(dir.path);
    const outbox = createSlackOutbox(db);
    const receiver = await startSlackReceiver();
    const log = captureLogger();
    const sender = createSlackSender({
      outbox,
      db,
      webhookUrl: receiver.url,
      logger: log.logger,
      retryBaseMs: 50,
      pollIntervalMs: 50,
    });
    try {
      const transition = {
        dealName: "Acme",
        from: "proposal",
        to: "negotiation",
        value: "$5,000",
        owners: [{ id: "0b5f5c1e-8a4b-4c42-9d7e-3f0a2b1c4d5e", name: "Dana Lee" }],
        url: "https://www.notion.so/Acme-1",
      };
      const dm = outbox.enqueue(ownerDealMessage(transition, transition.owners[0]!)).item;
      const channel = outbox.enqueue(dealStageMessage(transition)).item;
      sender.start();
      await eventually(() => expect(outbox.get(channel.id)?.state).toBe("sent"));
      expect(outbox.get(dm.id)?.state).toBe("sent");
      expect(receiver.received).toHaveLength(1);
      expect(JSON.parse(receiver.received[0]!.raw)).toEqual({
        text: "🤝 Deal in negotiation: *Acme* — $5,000 (proposal → negotiation)",
        blocks: [
          {
            type: "section",
            text: {
              type: "mrkdwn",
              text: "🤝 Deal in negotiation: *Acme* — $5,000 (proposal → negotiation)",
              verbatim: true,
            },
          },
          {
            type: "context",
            elements: [
              {
                type: "mrkdwn",
                text: "Owner: Dana Lee · <https://www.notion.so/Acme-1|Open in Notion>",
                verbatim: true,
              },
            ],
          },
        ],
      });
    } finally {
      await sender.stop();
      await receiver.stop();
      db.close();
      dir.remove();
    }
  });
});
