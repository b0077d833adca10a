import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createInboundEmailQueue } from "../../src/inbound-email/inbound-email-queue.js";
import { jobsCommand } from "../../src/jobs/jobs-command.js";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { createCreateHold } from "../../src/notion/create-hold.js";
import { createSlackClicks } from "../../src/slack/slack-clicks.js";
import { createSlackOutbox } from "../../src/slack/slack-outbox.js";
import { openStore } from "../../src/store/open-store.js";
import { makeTempDir } from "../support/temp-dir.js";
import { queuedLead as leadOf } from "../support/queued-lead.js";

const T0 = Date.UTC(2026, 8, 8, 9, 0, 0);
const MINUTE_MS = 60_000;

// In process, on a state file the test fills through the queues' own API (test/leads/jobs-command.test.ts runs the script against a server).
describe("jobsCommand", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let lines: string[];
  const run = (...argv: string[]) =>
    jobsCommand(
      argv,
      { DATA_DIR: dir.path, NOTION_HOLD_RETRY_SECONDS: 600 },
      {
        print: (line) => lines.push(...line.split("\n")),
        now: () => T0 + 5 * MINUTE_MS,
      },
    );
  beforeEach(() => {
    dir = makeTempDir("crm-jobs-");
    lines = [];
  });
  afterEach(() => dir.remove());

  const fill = () => {
    const db = openStore(dir.path);
    try {
      const queue = createLeadQueue(db, () => T0);
      const held = queue.enqueue(leadOf("held@example.com")).submission;
      queue.hold([held.id], "Notion rejected pages.create contact: restricted_resource");
      createCreateHold(db, { retryMs: 600_000, now: () => T0 }).refused("restricted_resource");
      const dead = queue.enqueue(leadOf("dead@example.com")).submission;
      queue.bury([dead.id], "validation_error");
      queue.enqueue(leadOf("spam@example.com"), undefined, "spam");
      const outbox = createSlackOutbox(db, () => T0);
      const { item } = outbox.enqueue({ text: "Deal won" });
      outbox.markDead(item.id, "HTTP 404 channel_not_found");
      return { held, dead, messageId: item.id };
    } finally {
      db.close();
    }
  };

  it("lists counts, held leads apart from queued ones, dead leads and dead Slack messages", () => {
    const { held, dead, messageId } = fill();
    expect(run()).toBe(0);
    expect(lines[0]).toBe(`Leads in ${dir.path}: 1 queued, 0 done, 1 dead, 1 spam`);
    expect(lines).toContain(
      "Held leads: 1 (Notion refuses creates since 2026-09-08T09:00:00.000Z (5 min ago); next try in 5 min):",
    );
    expect(lines.join("\n")).not.toContain("Queued leads");
    expect(lines.filter((line) => line.includes(held.id))).toHaveLength(1);
    expect(lines.join("\n")).toMatch(
      new RegExp(`Dead leads[^\\n]*\\n {2}${dead.id} .* attempts 1\\n {4}last error: validation_error`),
    );
    expect(lines.join("\n")).toMatch(
      new RegExp(`Dead Slack messages[^\\n]*\\n {2}${messageId} .*Deal won {2}attempts 1`),
    );
  });

  it("names a revoked token as the cause of held leads, with its fix", () => {
    const db = openStore(dir.path);
    try {
      const queue = createLeadQueue(db, () => T0);
      queue.hold([queue.enqueue(leadOf("held@example.com")).submission.id], "HTTP 401 unauthorized");
      createCreateHold(db, { retryMs: 600_000, now: () => T0 }).refused("unauthorized", "unauthorized");
    } finally {
      db.close();
    }
    expect(run()).toBe(0);
    expect(lines).toContain(
      "Held leads: 1 (Notion refuses the token (HTTP 401) since 2026-09-08T09:00:00.000Z (5 min ago); next try in 5 min):",
    );
    expect(lines.join("\n")).toContain("put the current secret in NOTION_TOKEN");
    expect(lines.join("\n")).not.toContain("Insert content");
  });

  it("`find` shows a held lead as held, and `retry` revives a dead lead once", () => {
    const { dead } = fill();
    expect(run("find", "HELD@example.com")).toBe(0);
    expect(lines[1]).toMatch(/^ {2}2026-09-08T09:00:00\.000Z {2}held {4}no Notion page yet/);
    lines = [];
    expect(run("retry", dead.id)).toBe(0);
    expect(run("retry", dead.id)).toBe(1);
    expect(lines).toEqual([`requeued ${dead.id}`, `not requeued ${dead.id}: no dead lead has that id`]);
  });

  it("lists logged emails without their text, and puts a dead one back with retry-email", () => {
    const db = openStore(dir.path);
    const emails = createInboundEmailQueue(db, () => T0);
    const { item } = emails.store({
      key: "mid:abc@x",
      via: "raw",
      direction: { direction: "sent", addresses: ["lena@example.org"] },
      from: "sam@acme.com",
      subject: "Quote",
      dateMs: T0,
      messageId: "abc@x",
      snippet: "the private snippet",
    });
    emails.jobs.bury([item.id], "HTTP 400 validation_error");
    db.close();

    expect(run()).toBe(0);
    expect(lines).toContain("Logged emails: 0 queued, 0 done, 1 dead, 0 ignored");
    expect(lines.join("\n")).toContain(
      `${item.id}  2026-09-08T09:00:00.000Z  sent via raw, 1 address(es), 1 attempt(s)`,
    );
    expect(lines.join("\n")).not.toContain("private snippet");
    lines = [];
    expect(run("retry-email", String(item.id))).toBe(0);
    expect(lines).toEqual([`requeued ${item.id}`]);
    expect(run("retry-email", "999")).toBe(1);
  });

  it("lists queued and dead Slack clicks, and `retry-click` applies a dead one again, once", () => {
    const db = openStore(dir.path);
    let deadId: number;
    try {
      const clicks = createSlackClicks(db, () => T0);
      const click = (action: "contacted" | "not_a_fit", pageId: string) =>
        clicks.store(`C0SALES0001:1788858000.000100:${action}:${pageId}`, {
          action,
          pageId,
          teamId: "T0TEAM0001",
          userId: "U0DANA0001",
          userName: "dana",
          clickedAtMs: T0,
        }).item;
      click("contacted", "1f0c2a3b4c5d4e6f8a9b0c1d2e3f4a5b");
      const dead = click("not_a_fit", "2f0c2a3b4c5d4e6f8a9b0c1d2e3f4a5b");
      clicks.bury([dead.id], "Notion rejected pages.update contact: validation_error");
      deadId = dead.id;
    } finally {
      db.close();
    }

    expect(run()).toBe(0);
    const report = lines.join("\n");
    expect(report).toMatch(
      /Queued Slack clicks[^\n]*\n {2}1 {2}2026-09-08T09:00:00\.000Z {2}contacted on \S+1f0c2a3b\S* by dana {2}attempts 0/,
    );
    expect(report).toMatch(
      new RegExp(
        `Dead Slack clicks[^\\n]*retry-click[^\\n]*\\n {2}${deadId} .*not_a_fit .* attempts 1\\n {4}last error: Notion rejected`,
      ),
    );

    lines = [];
    expect(run("retry-click", String(deadId))).toBe(0);
    expect(run("retry-click", String(deadId))).toBe(1);
    expect(lines).toEqual([`requeued ${deadId}`, `not requeued ${deadId}: no dead Slack click has that id`]);
    lines = [];
    expect(run()).toBe(0);
    expect(lines.join("\n")).not.toContain("Dead Slack clicks");
  });

  it("`discard` drops a dead click or email by its number, and asks which when a Slack message has it too", () => {
    const db = openStore(dir.path);
    let clickId: number;
    let emailId: number;
    let messageId: number;
    try {
      const clicks = createSlackClicks(db, () => T0);
      const click = clicks.store("C0SALES0001:1788858000.000100:snooze:page", {
        action: "snooze",
        pageId: "3f0c2a3b4c5d4e6f8a9b0c1d2e3f4a5b",
        teamId: "T0TEAM0001",
        userId: "U0DANA0001",
        clickedAtMs: T0,
      }).item;
      clicks.bury([click.id], "Notion rejected pages.update contact: validation_error");
      clickId = click.id;
      const emails = createInboundEmailQueue(db, () => T0);
      const email = emails.store({
        key: "mid:dead@x",
        via: "raw",
        direction: { direction: "sent", addresses: ["lena@example.org"] },
        from: "sam@acme.com",
        subject: "Quote",
        dateMs: T0,
        messageId: "dead@x",
        snippet: undefined,
      }).item;
      emails.jobs.bury([email.id], "HTTP 400 validation_error");
      emailId = email.id;
      const outbox = createSlackOutbox(db, () => T0);
      const message = outbox.enqueue({ text: "Deal won" }).item;
      outbox.markDead(message.id, "HTTP 404 channel_not_found");
      messageId = message.id;
    } finally {
      db.close();
    }
    // Each table numbers its own rows: the first click, email and message are all 1.
    expect([clickId, emailId, messageId]).toEqual([1, 1, 1]);

    expect(run("discard", "1")).toBe(1);
    expect(lines).toEqual([
      "not discarded 1: a dead Slack message and a dead Slack click and a dead logged email have that id; say which: slack:1 or click:1 or email:1",
    ]);
    lines = [];
    expect(run("discard", "click:1", "email:1")).toBe(0);
    expect(lines).toEqual(["discarded dead Slack click 1", "discarded dead logged email 1"]);
    lines = [];
    // Only the message is left with that number now: the bare id is enough.
    expect(run("discard", "1")).toBe(0);
    expect(lines).toEqual(["discarded dead Slack message 1"]);
    lines = [];
    expect(run()).toBe(0);
    expect(lines.join("\n")).not.toMatch(/Dead Slack clicks|Dead Slack messages|Dead logged emails/);
  });

  it("refuses an unknown command and changes nothing", () => {
    fill();
    expect(() => run("purge")).toThrow(/unknown command "purge"/);
    expect(run()).toBe(0);
    expect(lines[0]).toContain("1 queued, 0 done, 1 dead, 1 spam");
  });
});
