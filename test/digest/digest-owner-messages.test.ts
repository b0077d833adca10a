import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runDigest } from "../../src/digest/run-digest.js";
import { slackAppFromConfig } from "../../src/slack/slack-app-from-config.js";
import { createSlackSender, type SlackSender } from "../../src/slack/slack-sender.js";
import { FAKE_SLACK_TOKEN, startSlackWebApiFake, type SlackWebApiFake } from "../support/slack-web-api.js";
import { daysAgo, startDigestHarness, type DigestHarness } from "./digest-harness.js";

const CHANNEL = "C0SALES0001";

describe("the digest in Slack app mode, when Contacts has an Owner (people) property", () => {
  let h: DigestHarness;
  let slack: SlackWebApiFake;
  let sender: SlackSender;
  let dana: string;
  let bo: string;

  beforeEach(async () => {
    h = await startDigestHarness({ userInformation: "with_email" });
    slack = await startSlackWebApiFake({ users: { "dana@acme.test": "U0DANA0001", "bo@acme.test": "U0BO00001" } });
    const app = slackAppFromConfig(
      { SLACK_BOT_TOKEN: FAKE_SLACK_TOKEN, SLACK_CHANNEL: CHANNEL, SLACK_API_URL: slack.url },
      { db: h.db, notion: h.notion, logger: h.log.logger },
    );
    sender = createSlackSender({
      outbox: h.outbox,
      db: h.db,
      webhookUrl: undefined,
      app,
      logger: h.log.logger,
      retryBaseMs: 20,
    });
    const admin = h.crm.emulator.admin;
    dana = admin.addUser("Dana Lee", { email: "dana@acme.test" });
    bo = admin.addUser("Bo Ray", { email: "bo@acme.test" });
    admin.updateProperty(h.crm.dataSources.contacts, "Owner", { people: {} });
    const contact = (name: string, owners: string[], lastContacted?: string) =>
      admin.insertPage(h.crm.dataSources.contacts, {
        Name: { title: [{ text: { content: name } }] },
        Status: { select: { name: "new lead" } },
        ...(lastContacted !== undefined && { "Last Contacted": { date: { start: lastContacted } } }),
        ...(owners.length > 0 && { Owner: { people: owners.map((id) => ({ id })) } }),
      });
    contact("Dana's never", [dana]);
    contact("Dana's old", [dana], daysAgo(60));
    contact("Shared old", [dana, bo], daysAgo(45));
    contact("Dana's fresh", [dana], daysAgo(2));
    for (let i = 0; i < 11; i++) contact(`Bo's ${String(i + 1).padStart(2, "0")}`, [bo], daysAgo(100 - i));
    contact("Nobody's", [], daysAgo(50));
  });
  afterEach(async () => {
    await sender.stop();
    await slack.stop();
    await h.stop();
  });

  it("posts the whole digest to the channel, unchanged, then each owner their own count and 10 stalest", async () => {
    const preview = await runDigest(h.deps({ sender }), { dryRun: true });
    if (preview.kind !== "dry-run") throw new Error(`expected a dry run, got ${preview.kind}`);

    const outcome = await runDigest(h.deps({ sender, directMessages: true }));
    expect(outcome).toMatchObject({ kind: "sent", staleCount: 15 });
    expect(outcome.kind === "sent" && outcome.ownerMessages?.map((item) => item.state)).toEqual(["sent", "sent"]);

    // The channel first; the owners after it, in no promised order.
    expect(slack.posted[0]!.channel).toBe(CHANNEL);
    expect(
      slack.posted
        .slice(1)
        .map((message) => message.channel)
        .sort(),
    ).toEqual(["U0BO00001", "U0DANA0001"]);
    const channel = slack.posted[0];
    const toDana = slack.posted.find((message) => message.channel === "U0DANA0001");
    const toBo = slack.posted.find((message) => message.channel === "U0BO00001");
    // The channel's digest is the one a run without owners builds: the same words, the same blocks.
    expect(channel!.text).toBe(preview.message.text);
    expect(channel!.blocks).toEqual(preview.message.blocks);
    expect(channel!.text).toContain("*15 stale leads*");

    expect(toDana!.text).toMatch(/^:hourglass: \*3 stale leads of yours\*/);
    expect(toDana!.text).toMatch(/1\. <[^|]+\|Dana's never>[^]*2\. <[^|]+\|Dana's old>[^]*3\. <[^|]+\|Shared old>/);
    expect(toDana!.text).not.toContain("Dana's fresh");
    expect(toDana!.text).not.toContain("Bo's");

    expect(toBo!.text).toMatch(/^:hourglass: \*12 stale leads of yours\*/);
    expect(toBo!.text).toContain("The 10 stalest of 12, oldest first.");
    expect(toBo!.text).toContain("1. <");
    expect(toBo!.text).toContain("Bo's 01");
    expect(toBo!.text).not.toContain("Shared old"); // the 11 of Bo's own are all staler; 10 are listed
    expect(toBo!.text).not.toContain("Nobody's");
  });

  it("sends no direct message without app mode's direct messages", async () => {
    await runDigest(h.deps({ sender }));
    expect(slack.posted.map((message) => message.channel)).toEqual([CHANNEL]);
  });

  it("sends each owner's message once a day, like the digest", async () => {
    await runDigest(h.deps({ sender, directMessages: true }));
    await runDigest(h.deps({ sender, directMessages: true }));
    expect(slack.posted).toHaveLength(3);
  });
});
