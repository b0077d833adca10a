import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSlackOutbox, type SlackOutbox } from "../../src/slack/slack-outbox.js";
import { createSlackSender, followingFileKey } from "../../src/slack/slack-sender.js";
import { createSlackWebApi } from "../../src/slack/slack-web-api.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { startSlackWebApiFake, type SlackWebApiFake } from "../support/slack-web-api.js";
import { makeTempDir } from "../support/temp-dir.js";

const BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5]);
const MESSAGE = {
  text: "*📊 Weekly pipeline report*",
  blocks: [
    {
      type: "section" as const,
      text: { type: "mrkdwn" as const, text: "*📊 Weekly pipeline report*", verbatim: true as const },
    },
  ],
  file: { filename: "pipeline-report.png", title: "Pipeline report", contentBase64: BYTES.toString("base64") },
};

describe("a message with a file in Slack app mode", () => {
  let slack: SlackWebApiFake;
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let outbox: SlackOutbox;

  beforeEach(async () => {
    slack = await startSlackWebApiFake({ channels: [{ id: "C0SALES0001", name: "sales", isMember: true }] });
    dir = makeTempDir();
    db = openStore(dir.path);
    outbox = createSlackOutbox(db);
  });
  afterEach(async () => {
    db.close();
    dir.remove();
    await slack.stop();
  });

  function sender(channel: string) {
    const api = createSlackWebApi({ token: slack.token, apiUrl: slack.url });
    const users = { resolve: async () => ({ slackUserId: undefined, settled: true }) };
    return createSlackSender({
      outbox,
      db,
      webhookUrl: undefined,
      app: { api, channel, users },
      logger: captureLogger().logger,
      retryBaseMs: 10,
    });
  }

  it("uploads the file into the channel with the message: upload URL, the bytes, then complete", async () => {
    const { item } = outbox.enqueue(MESSAGE, "report:1");
    const sent = await sender("C0SALES0001").deliver(item.id, { maxAttempts: 3 });

    expect(sent.state).toBe("sent");
    expect(slack.calls.map((call) => call.method)).toEqual([
      "files.getUploadURLExternal",
      "upload",
      "files.completeUploadExternal",
    ]);
    expect(slack.callsOf("files.getUploadURLExternal")[0]!.args).toMatchObject({
      filename: "pipeline-report.png",
      length: String(BYTES.length),
    });
    expect(slack.uploads).toHaveLength(1);
    expect(slack.uploads[0]).toMatchObject({
      channel: "C0SALES0001",
      title: "Pipeline report",
      blocks: MESSAGE.blocks,
    });
    expect(Buffer.compare(slack.uploads[0]!.bytes, BYTES)).toBe(0);
    // The message is the upload's: nothing is posted beside it.
    expect(slack.posted).toEqual([]);
  });

  it("with SLACK_CHANNEL given by name, posts the message and then the file into the channel Slack names", async () => {
    const { item } = outbox.enqueue(MESSAGE, "report:2");
    const app = sender("#sales");
    expect((await app.deliver(item.id, { maxAttempts: 3 })).state).toBe("sent");
    const following = outbox.byKey(followingFileKey(item))!;
    expect((await app.deliver(following.id, { maxAttempts: 3 })).state).toBe("sent");

    expect(slack.posted.map((message) => message.text)).toEqual(["*📊 Weekly pipeline report*"]);
    expect(slack.uploads).toHaveLength(1);
    expect(slack.uploads[0]).toMatchObject({ channel: "C0SALES0001", initialComment: undefined });
    expect(Buffer.compare(slack.uploads[0]!.bytes, BYTES)).toBe(0);
  });

  it("posts the message without the file when the app lacks files:write", async () => {
    slack.setScopes(["chat:write"]);
    const { item } = outbox.enqueue(MESSAGE, "report:3");
    const settled = await sender("C0SALES0001").deliver(item.id, { maxAttempts: 3 });
    expect(settled.state).toBe("sent");
    expect(slack.callsOf("files.getUploadURLExternal")).toHaveLength(1);
    expect(slack.uploads).toEqual([]);
    expect(slack.posted.map((message) => message.text)).toEqual(["*📊 Weekly pipeline report*"]);
  });

  it("without files:write, drops the file that follows a message by channel name, and holds nothing behind it", async () => {
    const { item } = outbox.enqueue(MESSAGE, "report:5");
    const app = sender("#sales");
    expect((await app.deliver(item.id, { maxAttempts: 3 })).state).toBe("sent");
    slack.setScopes(["chat:write"]);
    const following = outbox.byKey(followingFileKey(item))!;
    // The file is the message's own problem: dead, not a hold of the sales channel.
    expect(await app.deliver(following.id, { maxAttempts: 3 })).toMatchObject({
      state: "dead",
      heldSinceMs: undefined,
    });
    const { item: next } = outbox.enqueue({ text: "Deal won" }, "deal:1");
    expect((await app.deliver(next.id, { maxAttempts: 3 })).state).toBe("sent");
    expect(slack.posted.map((message) => message.text)).toEqual(["*📊 Weekly pipeline report*", "Deal won"]);
  });

  it("tries the whole upload again when Slack fails for a moment", async () => {
    slack.replyNext("files.completeUploadExternal", { status: 500 });
    const { item } = outbox.enqueue(MESSAGE, "report:4");
    const settled = await sender("C0SALES0001").deliver(item.id, { maxAttempts: 3 });
    expect(settled).toMatchObject({ state: "sent", attempts: 2 });
    expect(slack.uploads).toHaveLength(1);
  });
});
