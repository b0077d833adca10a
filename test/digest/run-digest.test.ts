import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SlackDeliveryError } from "../../src/slack/slack-delivery-error.js";
import { runDigest } from "../../src/digest/run-digest.js";
import { NotionGatewayError } from "../../src/notion/notion-errors.js";
import { daysAgo, MS_PER_DAY, startDigestHarness, type DigestHarness } from "./digest-harness.js";

let h: DigestHarness;
let staleIds: string[];
beforeEach(async () => {
  h = await startDigestHarness();
  staleIds = [
    h.addContact({ name: "Old Olga", lastContacted: daysAgo(90) }).id,
    h.addContact({ name: "Never Ned" }).id,
  ];
  h.addContact({ name: "Fresh Fay", lastContacted: daysAgo(2) });
});
afterEach(async () => {
  await h.stop();
});

const today = () => new Date().toISOString().slice(0, 10);
const postedTexts = () => h.slack.received.map((message) => message.body.text);
const logged = (msg: string) => h.log.lines().some((line) => line.msg === msg || line.msg.startsWith(msg));

describe("runDigest", () => {
  it("posts one message with the count and the stalest, and records it as today's digest", async () => {
    const outcome = await runDigest(h.deps());
    expect(outcome).toMatchObject({
      kind: "sent",
      staleCount: 2,
      item: { state: "sent", dedupeKey: `digest:${today()}` },
    });
    expect(postedTexts()).toHaveLength(1);
    expect(postedTexts()[0]).toMatch(
      /^:hourglass: \*2 stale leads\*[^]*1\. <[^|]+\|Never Ned>[^]*2\. <[^|]+\|Old Olga>/,
    );
    expect(postedTexts()[0]).not.toContain("Fresh Fay");
  });

  it("posts nothing the second time the same day, and asks Notion nothing", async () => {
    await runDigest(h.deps());
    h.crm.emulator.stats.reset();
    const again = await runDigest(h.deps());
    expect(again).toMatchObject({ kind: "already-sent", item: { state: "sent" } });
    expect(h.crm.emulator.stats.requests).toHaveLength(0);
    expect(postedTexts()).toHaveLength(1);
    expect(logged("stale-lead digest already sent today")).toBe(true);
  });

  it("posts again with --force, and again on the next day in DIGEST_TZ", async () => {
    await runDigest(h.deps());
    expect(await runDigest(h.deps(), { force: true })).toMatchObject({
      kind: "sent",
      item: { dedupeKey: expect.stringMatching(new RegExp(`^digest:${today()}:forced:`)) },
    });
    expect(await runDigest(h.deps({ now: () => Date.now() + MS_PER_DAY }))).toMatchObject({ kind: "sent" });
    expect(postedTexts()).toHaveLength(3);
  });

  it("with --dry-run builds the message but posts and records nothing", async () => {
    const dry = await runDigest(h.deps(), { dryRun: true });
    expect(dry).toMatchObject({
      kind: "dry-run",
      staleCount: 2,
      alreadySentToday: false,
      message: { text: expect.stringContaining("Never Ned") },
    });
    expect(h.outbox.list("queued")).toEqual([]);
    expect(h.outbox.list("sent")).toEqual([]);
    expect(await runDigest(h.deps())).toMatchObject({ kind: "sent" });
  });

  it("posts nothing when no lead is stale, logs it, and leaves today's digest unused", async () => {
    for (const id of staleIds) {
      await h.notion.write("pages.update", (client) =>
        client.pages.update({ page_id: id, properties: { Status: { select: { name: "contacted" } } } }),
      );
    }
    expect(await runDigest(h.deps())).toEqual({ kind: "nothing-stale" });
    expect(postedTexts()).toEqual([]);
    expect(logged("no stale leads; no digest posted")).toBe(true);
    expect(h.outbox.byKey(`digest:${today()}`)).toBeUndefined();
  });

  it("filters on Status as a status property when the workspace has one", async () => {
    h.useStatusProperty();
    h.addContact({ name: "Status Sam", lastContacted: daysAgo(100) });
    h.addContact({ name: "Customer Cy", status: "customer", lastContacted: daysAgo(100) });
    const outcome = await runDigest(h.deps());
    expect(outcome).toMatchObject({ kind: "sent" });
    expect(postedTexts()[0]).toContain("|Status Sam>");
    expect(postedTexts()[0]).not.toContain("Customer Cy");
  });

  it("posts once when two runs start together", async () => {
    const outcomes = await Promise.all([runDigest(h.deps()), runDigest(h.deps())]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(["already-sent", "sent"]);
    expect(postedTexts()).toHaveLength(1);
  });

  it("fails with the message still queued when Slack keeps failing, and a later run today delivers it without Notion", async () => {
    // Two attempts instead of the command's five: Slack's shared budget of one message a second makes each cost a second.
    h.slack.replyNext({ status: 503, body: "service unavailable" }, { status: 500 });
    const error = await runDigest(h.deps(), { slackAttempts: 2 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SlackDeliveryError);
    expect(error).toMatchObject({ code: "slack_undelivered", item: { state: "queued", attempts: 2 } });
    expect((error as Error).message).toMatch(/after 2 attempts \(last answer: HTTP 500\); it stays queued/);
    expect(h.slack.attempts()).toBe(2);

    h.crm.emulator.stats.reset();
    expect(await runDigest(h.deps())).toMatchObject({ kind: "already-sent", item: { state: "sent" } });
    expect(h.crm.emulator.stats.requests).toHaveLength(0);
    expect(postedTexts()).toHaveLength(1);
  });

  it("fails at once, the digest held for the fix, when Slack refuses the webhook", async () => {
    h.slack.replyNext({ status: 404, body: "no_service" });
    const error = await runDigest(h.deps()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "slack_refused", item: { state: "queued", heldSinceMs: expect.any(Number) } });
    expect((error as Error).message).toMatch(
      /^Slack refused the stale-lead digest \(last answer: HTTP 404 no_service\)/,
    );
    expect(h.slack.attempts()).toBe(1);
  });

  it("fails with Notion's error when Notion stays down through the retries, and queues nothing", async () => {
    h.crm.emulator.faults.unavailableFor(60_000, 503);
    const error = await runDigest(h.deps()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotionGatewayError);
    expect(error).toMatchObject({ code: "notion_unavailable", details: { attempts: 6 } });
    expect(h.outbox.list("queued")).toEqual([]);
    expect(h.slack.attempts()).toBe(0);
  });
});
