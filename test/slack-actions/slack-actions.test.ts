import { afterEach, describe, expect, it } from "vitest";
import type { NotionEmulatorOptions } from "@notion-crm/notion-emulator";
import {
  blockActionsPayload,
  buttonLabelled,
  buttonsOf,
  postSlackInteraction,
  signSlackInteraction,
} from "../../scripts/lib/slack-interaction.js";
import { loadConfig } from "../../src/config/load-config.js";
import { DIGEST_REQUIRED_SETTINGS, staleLeadsCommand } from "../../src/digest/stale-leads-command.js";
import { leadsArrivedSince } from "../../src/first-touch/first-touches.js";
import { jobsCommand } from "../../src/jobs/jobs-command.js";
import type { CrmServerOverrides } from "../../src/server/start-crm-server.js";
import { leadButtons } from "../../src/slack/lead-buttons.js";
import { createSlackClicks } from "../../src/slack/slack-clicks.js";
import { openStore } from "../../src/store/open-store.js";
import { startSlackReceiver } from "../support/slack-receiver.js";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { startSlackWebApiFake, type PostedSlackMessage, type SlackWebApiFake } from "../support/slack-web-api.js";

const SIGNING_SECRET = "slack-signing-secret-for-tests";
const DANA_EMAIL = "dana@acme.test";
const DANA_SLACK = "U0DANA0001";

type Setup = { h: CrmHarness; slack: SlackWebApiFake; danaNotion: string };

describe("acting on a lead from Slack (POST /slack/actions)", () => {
  let setup: Setup | undefined;
  afterEach(async () => {
    await setup?.h.stop();
    await setup?.slack.stop();
    setup = undefined;
  });

  async function start({
    env = {},
    emulator = { userInformation: "with_email" },
    owner = true,
    snoozedUntil = false,
    overrides = {},
  }: {
    env?: Record<string, string>;
    emulator?: NotionEmulatorOptions;
    owner?: boolean;
    snoozedUntil?: boolean;
    overrides?: CrmServerOverrides;
  } = {}) {
    const slack = await startSlackWebApiFake({ users: { [DANA_EMAIL]: DANA_SLACK } });
    const h = await startCrmHarness({
      emulator,
      env: {
        SLACK_BOT_TOKEN: slack.token,
        SLACK_CHANNEL: "C0SALES0001",
        SLACK_API_URL: slack.url,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        ...env,
      },
      overrides: { newLeadAlertHoldMs: 0, ...overrides },
    });
    const admin = h.crm.emulator.admin;
    const danaNotion = admin.addUser("Dana Lee", { email: DANA_EMAIL });
    if (owner) admin.updateProperty(h.crm.dataSources.contacts, "Owner", { people: {} });
    if (snoozedUntil) admin.updateProperty(h.crm.dataSources.contacts, "Snoozed Until", { date: {} });
    // The schema is read at start: restart so the server sees the properties added above.
    if (owner || snoozedUntil) await h.restart();
    setup = { h, slack, danaNotion };
    return setup;
  }

  async function newLeadAlert({ h, slack }: Setup, email = "ada@example.com"): Promise<PostedSlackMessage> {
    const posted = await h.postLead({
      email,
      name: "Ada Lovelace",
      company: "Analytical",
      message: "Please call me back",
    });
    expect(posted.status).toBeLessThan(300);
    let alert: PostedSlackMessage | undefined;
    await eventually(() => {
      alert = slack.posted.find((message) => message.text.includes("New lead") && message.text.includes(email));
      expect(alert).toBeDefined();
    });
    return alert!;
  }

  const contactOf = (h: CrmHarness, email: string) =>
    h.contacts().find((page) => (page.properties["Email"] as { email?: string }).email === email)!;
  const statusOf = (h: CrmHarness, email: string) =>
    (contactOf(h, email).properties["Status"] as { select: { name: string } | null }).select?.name;

  function click(
    s: Setup,
    message: PostedSlackMessage,
    label: string,
    options: { teamId?: string; at?: number; secret?: string } = {},
  ) {
    const payload = blockActionsPayload({
      message,
      button: buttonLabelled(message, label),
      responseUrl: s.slack.responseUrl(),
      ...(options.teamId && { teamId: options.teamId }),
    });
    return signSlackInteraction(payload, options.secret ?? SIGNING_SECRET, options.at);
  }

  it("announces a new contact once, with Claim, Contacted and Not a fit naming its page; a repeat is not announced", async () => {
    const s = await start();
    const alert = await newLeadAlert(s);
    const pageId = contactOf(s.h, "ada@example.com").id;
    expect(alert.text).toContain("Ada Lovelace");
    expect(alert.text).toContain("Analytical");
    expect(alert.text).toContain("Please call me back");
    expect(JSON.stringify(alert.blocks)).toContain("Open in Notion");
    expect(buttonsOf(alert).map((button) => [button.text?.text, button.value])).toEqual([
      ["Claim", pageId],
      ["Contacted", pageId],
      ["Not a fit", pageId],
    ]);
    // A repeat from the same email, then a new person: only the new person is announced after the first.
    await s.h.postLead({ email: "ada@example.com", message: "again" });
    await newLeadAlert(s, "grace@example.com");
    expect(s.slack.posted.filter((message) => message.text.includes("New lead"))).toHaveLength(2);
  });

  it("Contacted: Last Contacted now, Status contacted, one activity, the message changed in place, in 2 Notion calls", async () => {
    const s = await start();
    const alert = await newLeadAlert(s);
    const before = contactOf(s.h, "ada@example.com");
    s.h.crm.emulator.stats.reset();
    const answer = await postSlackInteraction(s.h.server.url, click(s, alert, "Contacted"));
    expect(answer).toEqual({ status: 200, text: "" });
    await eventually(() => expect(s.slack.updated).toHaveLength(1));
    expect(statusOf(s.h, "ada@example.com")).toBe("contacted");
    const lastContacted = (
      contactOf(s.h, "ada@example.com").properties["Last Contacted"] as { date: { start: string } }
    ).date.start;
    expect(Date.parse(lastContacted)).toBeGreaterThanOrEqual(
      Date.parse((before.properties["Last Contacted"] as { date: { start: string } }).date.start),
    );
    const rows = s.h
      .activities()
      .filter((row) => JSON.stringify(row.properties["Name"]).includes("Marked contacted in Slack by dana"));
    expect(rows).toHaveLength(1);
    expect(s.h.crm.emulator.stats.requests.map((request) => request.method)).toEqual(["PATCH", "POST"]);

    const update = s.slack.updated[0]!;
    expect(update.via).toBe("response_url");
    expect(update.replaceOriginal).toBe(true);
    expect(JSON.stringify(update.blocks)).toContain(`Contacted by <@${DANA_SLACK}>`);
    const labels = buttonsOf({ ...alert, blocks: update.blocks! }).map((button) => button.text?.text);
    expect(labels).toEqual(["Claim", "Not a fit"]);
    // The click is the lead's first touch, kept for the weekly report's speed to lead.
    const db = openStore(s.h.dataDir);
    try {
      const touches = leadsArrivedSince(db, 0).filter((lead) => lead.email === "ada@example.com");
      expect(touches).toHaveLength(1);
      expect(touches[0]!.via).toBe("slack");
      expect(touches[0]!.touchedAtMs).toBeGreaterThanOrEqual(touches[0]!.arrivedAtMs);
    } finally {
      db.close();
    }
  });

  it("applies a double click and Slack's replay of the same click once", async () => {
    const s = await start();
    const alert = await newLeadAlert(s);
    const signed = click(s, alert, "Contacted");
    const answers = await Promise.all([
      postSlackInteraction(s.h.server.url, signed),
      postSlackInteraction(s.h.server.url, signed),
    ]);
    // Slack's retry: the same payload, signed again a moment later.
    const replay = signSlackInteraction(JSON.parse(new URLSearchParams(signed.body).get("payload")!), SIGNING_SECRET);
    answers.push(await postSlackInteraction(s.h.server.url, replay));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    await eventually(() => expect(s.slack.updated).toHaveLength(1));
    // A later click on another lead proves the worker has gone past the duplicates.
    const other = await newLeadAlert(s, "grace@example.com");
    await postSlackInteraction(s.h.server.url, click(s, other, "Not a fit"));
    await eventually(() => expect(statusOf(s.h, "grace@example.com")).toBe("not a fit"));
    expect(
      s.h.activities().filter((row) => JSON.stringify(row.properties["Name"]).includes("Marked contacted")),
    ).toHaveLength(1);
    expect(s.slack.updated.filter((update) => JSON.stringify(update.blocks).includes("Contacted by"))).toHaveLength(1);
  });

  it("refuses a wrong signature and a timestamp 5 minutes off either way with 401, and ignores another workspace", async () => {
    const s = await start();
    const alert = await newLeadAlert(s);
    const now = Math.floor(Date.now() / 1000);
    const wrong = click(s, alert, "Not a fit", { secret: "not-the-secret" });
    const stale = click(s, alert, "Not a fit", { at: now - 301 });
    const future = click(s, alert, "Not a fit", { at: now + 301 });
    const unsigned = {
      ...click(s, alert, "Not a fit"),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    };
    for (const refused of [wrong, stale, future, unsigned]) {
      expect((await postSlackInteraction(s.h.server.url, refused)).status).toBe(401);
    }
    const elsewhere = await postSlackInteraction(
      s.h.server.url,
      click(s, alert, "Not a fit", { teamId: "T0OTHER001" }),
    );
    expect(elsewhere).toEqual({ status: 200, text: "" });
    // A good click after them is applied; none of the refused ones was.
    await postSlackInteraction(s.h.server.url, click(s, alert, "Contacted"));
    await eventually(() => expect(s.slack.updated).toHaveLength(1));
    expect(statusOf(s.h, "ada@example.com")).toBe("contacted");
    expect(s.h.log.lines().some((line) => line.msg.includes("another workspace"))).toBe(true);
    expect(JSON.stringify(s.h.log.lines())).not.toContain(SIGNING_SECRET);
  });

  it("Claim makes the clicker (by Slack email) the Owner; Not a fit sets its Status", async () => {
    const s = await start();
    const alert = await newLeadAlert(s);
    await postSlackInteraction(s.h.server.url, click(s, alert, "Claim"));
    await eventually(() => {
      const owner = contactOf(s.h, "ada@example.com").properties["Owner"] as { people: Array<{ id: string }> };
      expect(owner.people.map((person) => person.id)).toEqual([s.danaNotion]);
    });
    await eventually(() =>
      expect(JSON.stringify(s.slack.updated.at(-1)?.blocks)).toContain(`Claimed by <@${DANA_SLACK}>`),
    );
    await postSlackInteraction(s.h.server.url, click(s, alert, "Not a fit"));
    await eventually(() => expect(statusOf(s.h, "ada@example.com")).toBe("not a fit"));
  });

  it("offers no Claim without an Owner property", async () => {
    const s = await start({ owner: false });
    const alert = await newLeadAlert(s);
    expect(buttonsOf(alert).map((button) => button.text?.text)).toEqual(["Contacted", "Not a fit"]);
  });

  it("applies a click made while Notion is down once Notion is back, once", async () => {
    const s = await start();
    const alert = await newLeadAlert(s);
    await s.h.crm.emulator.stop();
    const answer = await postSlackInteraction(s.h.server.url, click(s, alert, "Contacted"));
    expect(answer.status).toBe(200);
    await eventually(() =>
      expect(s.h.log.lines().some((line) => line.msg === "Slack click not applied yet; will retry")).toBe(true),
    );
    await s.h.crm.emulator.start();
    await eventually(() => expect(s.slack.updated).toHaveLength(1), { timeoutMs: 20_000 });
    expect(statusOf(s.h, "ada@example.com")).toBe("contacted");
    expect(
      s.h.activities().filter((row) => JSON.stringify(row.properties["Name"]).includes("Marked contacted")),
    ).toHaveLength(1);
  });

  it("Contacted on an old message reads the lead first: a Status moved on since is kept", async () => {
    const s = await start({ owner: false });
    const page = s.h.crm.emulator.admin.insertPage(s.h.crm.dataSources.contacts, {
      Name: { title: [{ text: { content: "Moved On" } }] },
      Email: { email: "moved@example.com" },
      Status: { select: { name: "qualified" } },
    });
    const twoHoursAgo = Math.floor(Date.now() / 1000) - 2 * 3600;
    const message: PostedSlackMessage = {
      channel: "C0SALES0001",
      channelId: "C0SALES0001",
      ts: `${twoHoursAgo}.000100`,
      text: "digest",
      blocks: [leadButtons(page.id, ["contacted", "snooze", "not_a_fit"]) as unknown as Record<string, unknown>],
      at: Date.now(),
    };
    const payload = blockActionsPayload({ message, button: buttonLabelled(message, "Contacted") });
    expect((await postSlackInteraction(s.h.server.url, signSlackInteraction(payload, SIGNING_SECRET))).status).toBe(
      200,
    );
    // No response_url: the message is changed with chat.update, which knows no such message in the fake.
    await eventually(() => expect(s.slack.callsOf("chat.update")).toHaveLength(1));
    const after = contactOf(s.h, "moved@example.com");
    expect((after.properties["Last Contacted"] as { date: { start: string } | null }).date).not.toBeNull();
    expect(statusOf(s.h, "moved@example.com")).toBe("qualified");
  });

  it("a click Notion refuses for good is dead-lettered, reaches the operator, and `jobs -- retry-click` applies it", async () => {
    const alerts = await startSlackReceiver();
    try {
      const s = await start({
        env: { SLACK_ALERTS_WEBHOOK_URL: alerts.url },
        overrides: { alertCheckIntervalMs: 50 },
      });
      const alert = await newLeadAlert(s);
      s.h.crm.emulator.faults.failNext(1, {
        method: "PATCH",
        path: /^\/v1\/pages\//,
        kind: "status",
        status: 400,
        code: "validation_error",
      });
      await postSlackInteraction(s.h.server.url, click(s, alert, "Not a fit"));
      await eventually(() =>
        expect(
          alerts.received.map((m) => m.body.text).filter((t) => t.includes("1 Slack click dead-lettered")),
        ).toHaveLength(1),
      );
      expect(statusOf(s.h, "ada@example.com")).toBe("new lead");
      expect(s.h.log.lines().some((line) => line.msg.startsWith("SLACK CLICK DEAD-LETTERED"))).toBe(true);

      const printed: string[] = [];
      const jobs = (...argv: string[]) =>
        jobsCommand(
          argv,
          { DATA_DIR: s.h.dataDir, NOTION_HOLD_RETRY_SECONDS: 600 },
          { print: (line) => printed.push(line) },
        );
      expect(jobs()).toBe(0);
      const dead = /Dead Slack clicks[^\n]*\n {2}(\d+) /.exec(printed.join("\n"))?.[1];
      expect(dead).toBeDefined();
      expect(jobs("retry-click", dead!)).toBe(0);
      // The server looks for revived work on its own (a few seconds), then the dead-letter alert clears.
      await eventually(() => expect(statusOf(s.h, "ada@example.com")).toBe("not a fit"), { timeoutMs: 20_000 });
      await eventually(() =>
        expect(
          alerts.received.some((m) => m.body.text.includes("No dead-lettered leads, deal events, Slack clicks")),
        ).toBe(true),
      );
    } finally {
      await alerts.stop();
    }
  });

  it("a click on a lead deleted from Notion since says so in the message, and is not dead-lettered", async () => {
    const s = await start({ owner: false });
    const gonePageId = "0badc0de-0000-4000-8000-000000000000";
    const message: PostedSlackMessage = {
      channel: "C0SALES0001",
      channelId: "C0SALES0001",
      ts: `${Math.floor(Date.now() / 1000)}.000100`,
      text: "New lead",
      blocks: [leadButtons(gonePageId, ["contacted", "not_a_fit"]) as unknown as Record<string, unknown>],
      at: Date.now(),
    };
    const payload = blockActionsPayload({
      message,
      button: buttonLabelled(message, "Contacted"),
      responseUrl: s.slack.responseUrl(),
    });
    expect((await postSlackInteraction(s.h.server.url, signSlackInteraction(payload, SIGNING_SECRET))).status).toBe(
      200,
    );
    await eventually(() => expect(s.slack.updated).toHaveLength(1));
    expect(JSON.stringify(s.slack.updated[0]!.blocks)).toContain("Not applied: this lead is no longer in Notion");
    expect(
      s.h.activities().filter((row) => JSON.stringify(row.properties["Name"]).includes("Marked contacted")),
    ).toHaveLength(0);
    const db = openStore(s.h.dataDir);
    try {
      expect(createSlackClicks(db).counts()).toEqual({ done: 1 });
    } finally {
      db.close();
    }
  });

  it("falls back to chat.update when the response_url is used up", async () => {
    const s = await start();
    const alert = await newLeadAlert(s);
    s.slack.failResponseUrls(404, 1);
    await postSlackInteraction(s.h.server.url, click(s, alert, "Not a fit"));
    await eventually(() => expect(s.slack.updated).toHaveLength(1));
    expect(s.slack.updated[0]).toMatchObject({ via: "chat.update", channel: "C0SALES0001", ts: alert.ts });
  });

  it("has no /slack/actions without a signing secret, and its alerts carry no buttons", async () => {
    const s = await start({ env: { SLACK_SIGNING_SECRET: "" }, owner: false });
    const alert = await newLeadAlert(s);
    expect(buttonsOf(alert)).toEqual([]);
    const signed = signSlackInteraction({ type: "block_actions" }, SIGNING_SECRET);
    expect((await postSlackInteraction(s.h.server.url, signed)).status).toBe(404);
  });

  it("announces nothing with NEW_LEAD_ALERTS=off", async () => {
    const s = await start({ env: { NEW_LEAD_ALERTS: "off" }, owner: false });
    const answer = await s.h.postLead({ email: "quiet@example.com", name: "Quiet" });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: "created" });
    const db = openStore(s.h.dataDir);
    try {
      expect(db.prepare("SELECT count(*) AS n FROM slack_outbox").get()).toEqual({ n: 0 });
      expect(db.prepare("SELECT count(*) AS n FROM new_lead_alerts").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it("Snooze on a digest row keeps the lead out of the next digest and writes Snoozed Until", async () => {
    const s = await start({ owner: false, snoozedUntil: true });
    const admin = s.h.crm.emulator.admin;
    const stale = (name: string) =>
      admin.insertPage(s.h.crm.dataSources.contacts, {
        Name: { title: [{ text: { content: name } }] },
        Email: { email: `${name.toLowerCase()}@example.com` },
        Status: { select: { name: "new lead" } },
        "Last Contacted": { date: { start: "2020-01-01" } },
      });
    const snoozed = stale("Sleepy");
    stale("Awake");
    const digest = async () => {
      const config = loadConfig(s.h.env, { require: DIGEST_REQUIRED_SETTINGS, envFile: false });
      const code = await staleLeadsCommand({ once: true, dryRun: false, force: true }, config, s.h.log.logger, {
        print: () => undefined,
        signal: new AbortController().signal,
      });
      expect(code).toBe(0);
      return s.slack.posted.at(-1)!;
    };
    const first = await digest();
    expect(first.text).toContain("*2 stale leads*");
    const row = buttonsOf(first).filter((button) => button.value === snoozed.id);
    expect(row.map((button) => button.text?.text)).toEqual(["Contacted", "Snooze", "Not a fit"]);

    const payload = blockActionsPayload({
      message: first,
      button: buttonLabelled(first, "Snooze", snoozed.id),
      responseUrl: s.slack.responseUrl(),
    });
    expect((await postSlackInteraction(s.h.server.url, signSlackInteraction(payload, SIGNING_SECRET))).status).toBe(
      200,
    );
    await eventually(() => expect(s.slack.updated).toHaveLength(1));
    expect(JSON.stringify(s.slack.updated[0]!.blocks)).toContain(`Snoozed by <@${DANA_SLACK}> until`);
    const until = (admin.getPage(snoozed.id)!.properties["Snoozed Until"] as { date: { start: string } | null }).date;
    expect(until?.start).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const second = await digest();
    expect(second.text).toContain("*1 stale lead*");
    expect(second.text).toContain("Awake");
    expect(second.text).not.toContain("Sleepy");
  });
});

describe("new-lead alerts through an incoming webhook", () => {
  it("posts a text alert with no buttons", async () => {
    const receiver = await startSlackReceiver();
    const h = await startCrmHarness({
      env: { SLACK_WEBHOOK_URL: receiver.url, SLACK_SIGNING_SECRET: SIGNING_SECRET },
      overrides: { newLeadAlertHoldMs: 0 },
    });
    try {
      await h.postLead({ email: "hook@example.com", name: "Hook", message: "Hi" });
      await eventually(() => expect(receiver.received.some((m) => m.body.text.includes("New lead"))).toBe(true));
      const alert = receiver.received.find((m) => m.body.text.includes("New lead"))!;
      expect(alert.body.text).toContain("hook@example.com");
      expect(JSON.stringify(alert.body.blocks)).not.toContain('"actions"');
      // No bot token: no interactivity endpoint.
      const signed = signSlackInteraction({ type: "block_actions" }, SIGNING_SECRET);
      expect((await postSlackInteraction(h.server.url, signed)).status).toBe(404);
    } finally {
      await h.stop();
      await receiver.stop();
    }
  });
});
