import type { PageObjectResponse } from "@notionhq/client";
import { afterEach, describe, expect, it } from "vitest";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { openStore } from "../../src/store/open-store.js";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { runTsFile } from "../support/run-node.js";
import { startSlackReceiver } from "../support/slack-receiver.js";

// Test-sized intervals: 10 minutes and 30 seconds in production.
const HOLD_RETRY_MS = 1_200;
const ALERT_CHECK_MS = 50;

type Receiver = Awaited<ReturnType<typeof startSlackReceiver>>;

const emailOf = (page: PageObjectResponse) => (page.properties["Email"] as { email: string | null }).email;
const companyOf = (page: PageObjectResponse) =>
  ((page.properties["Company"] as { rich_text: Array<{ plain_text: string }> }).rich_text ?? [])
    .map((item) => item.plain_text)
    .join("");
const texts = (receiver: Receiver) => receiver.received.map((message) => message.body.text);
const matching = (receiver: Receiver, pattern: RegExp) => texts(receiver).filter((text) => pattern.test(text));

const REFUSED = /Notion refuses to create pages/;
const ACCEPTED = /Notion accepts creates again/;

describe("when Notion refuses creates (403 restricted_resource)", () => {
  let h: CrmHarness | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
  });

  async function start(env: Record<string, string> = {}, overrides = {}) {
    const sales = await startSlackReceiver();
    const alerts = await startSlackReceiver();
    receivers.push(sales, alerts);
    h = await startCrmHarness({
      env: { SLACK_WEBHOOK_URL: sales.url, SLACK_ALERTS_WEBHOOK_URL: alerts.url, ...env },
      overrides: { holdRetryMs: HOLD_RETRY_MS, alertCheckIntervalMs: ALERT_CHECK_MS, ...overrides },
    });
    return { h, sales, alerts };
  }

  /** A second connection to the server's state file, as `npm run jobs` has. */
  function queueOf(harness: CrmHarness) {
    const db = openStore(harness.dataDir);
    const queue = createLeadQueue(db);
    return { queue, close: () => db.close() };
  }
  const queueCounts = (harness: CrmHarness) => {
    const { queue, close } = queueOf(harness);
    try {
      return { ...queue.counts(), held: queue.heldCount() };
    } finally {
      close();
    }
  };
  const refusedCreates = (harness: CrmHarness) =>
    harness.crm.emulator.stats.requests.filter(
      (request) => request.method === "POST" && request.path === "/v1/pages" && request.status === 403,
    );

  it("holds new leads (2xx, none written, none dead), still updates known contacts, tries one create per interval, and delivers each held lead once after the lift", async () => {
    const { h, sales, alerts } = await start();
    const known = await h.postLead({ email: "known@example.com", name: "Kim Known" });
    expect(known.status).toBe(200);
    h.crm.emulator.admin.limitBlocks(0);

    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await h.postLead({ email: `new${i}@example.com`, name: `New ${i}` }));
    expect(answers.map((answer) => answer.status).every((status) => status === 200 || status === 202)).toBe(true);
    await eventually(() => expect(queueCounts(h)).toMatchObject({ held: 10, queued: 10 }));
    expect(queueCounts(h).dead).toBeUndefined();
    expect(h.contacts().map(emailOf)).toEqual(["known@example.com"]);

    // A known email is not held: its contact is updated (its activity row waits, as a create).
    const update = await h.postLead({ email: "known@example.com", company: "Known Corp" });
    expect(update.status).toBe(200);
    expect(update.body).toEqual({ status: "updated", id: h.contacts()[0]!.id });
    expect(companyOf(h.contacts()[0]!)).toBe("Known Corp");

    // Probes: wait for three refused creates after the first; no two are closer than the hold interval.
    // (Creates go side by side while Notion accepts them, so another already in flight when the first
    // refusal came, the known contact's activity, may be refused with it: that is the hold's start, not a try.)
    await eventually(() => expect(refusedCreates(h).length).toBeGreaterThanOrEqual(4), { timeoutMs: 20_000 });
    const all = refusedCreates(h).map((request) => request.at);
    const times = all.filter((at) => at - all[0]! > HOLD_RETRY_MS / 2);
    expect(all.length - times.length).toBeLessThanOrEqual(2);
    for (let i = 1; i < times.length; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(HOLD_RETRY_MS * 0.9);
    expect(h.crm.emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/, status: 200 })).toBe(2);
    expect(queueCounts(h)).toMatchObject({ held: 11 });
    expect(queueCounts(h).dead).toBeUndefined();

    const jobs = await runTsFile("scripts/jobs.ts", { env: { DATA_DIR: h.dataDir } });
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toMatch(/Held leads: 11 \(Notion refuses creates since \S+ \(\d+ s ago\); next try in/);
    expect(jobs.stdout).toContain("new0@example.com");
    expect(jobs.stdout).toMatch(/held for \d+ s/);
    expect(jobs.stdout).not.toContain("Queued leads (waiting for Notion)");
    // A hold is not a failed attempt.
    expect(jobs.stdout).not.toMatch(/attempts [1-9]/);
    const found = await runTsFile("scripts/jobs.ts", {
      env: { DATA_DIR: h.dataDir },
      args: ["find", "new0@example.com"],
    });
    expect(found.stdout).toMatch(/held +no Notion page yet/);

    h.crm.emulator.admin.liftBlockLimit();
    await eventually(() => expect(queueCounts(h)).toMatchObject({ done: 12 }), { timeoutMs: 20_000 });
    const emails = h.contacts().map(emailOf);
    expect(emails).toHaveLength(11);
    expect(new Set(emails).size).toBe(11);
    // One activity per lead: the first, the ten held ones, and the update's.
    expect(h.activities()).toHaveLength(12);

    await eventually(() => expect(matching(alerts, ACCEPTED)).toHaveLength(1));
    expect(matching(alerts, REFUSED)).toHaveLength(1);
    const [alert] = matching(alerts, REFUSED);
    expect(alert).toMatch(/upgrade the workspace's plan, or remove members/);
    expect(alert).toMatch(/Insert content/);
    expect(alert).toContain("npm run jobs");
    expect(texts(sales)).toEqual([]);
  }, 60_000);

  it("keeps leads held through a restart, probes no sooner for it, and does not alert again within the hour", async () => {
    const { h, alerts } = await start();
    h.crm.emulator.admin.limitBlocks(0);
    for (let i = 0; i < 3; i++) expect((await h.postLead({ email: `r${i}@example.com` })).status).toBeLessThan(300);
    await eventually(() => expect(queueCounts(h)).toMatchObject({ held: 3 }));
    await eventually(() => expect(matching(alerts, REFUSED)).toHaveLength(1));

    await h.restart();
    expect((await h.postLead({ email: "after-restart@example.com" })).status).toBeLessThan(300);
    await eventually(() => expect(queueCounts(h)).toMatchObject({ held: 4 }));
    await eventually(() => expect(refusedCreates(h).length).toBeGreaterThanOrEqual(3), { timeoutMs: 20_000 });
    const times = refusedCreates(h).map((request) => request.at);
    for (let i = 1; i < times.length; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(HOLD_RETRY_MS * 0.9);
    expect(h.contacts()).toHaveLength(0);
    expect(matching(alerts, REFUSED)).toHaveLength(1);

    h.crm.emulator.admin.liftBlockLimit();
    await eventually(() => expect(h!.contacts()).toHaveLength(4), { timeoutMs: 20_000 });
    await eventually(() => expect(matching(alerts, ACCEPTED)).toHaveLength(1));
    expect(matching(alerts, REFUSED)).toHaveLength(1);
  }, 60_000);

  it("holds a refused Activities row the same way, after its contact is written", async () => {
    const { h, alerts } = await start();
    expect((await h.postLead({ email: "kim@example.com" })).status).toBe(200);
    h.crm.emulator.admin.limitBlocks(0);
    const answer = await h.postLead({ email: "kim@example.com", company: "Kim & Co" });
    expect(answer.body).toEqual({ status: "updated", id: h.contacts()[0]!.id });
    expect(companyOf(h.contacts()[0]!)).toBe("Kim & Co");
    await eventually(() => expect(queueCounts(h)).toMatchObject({ held: 1, done: 1 }));
    expect(refusedCreates(h)).toHaveLength(1);
    await eventually(() => expect(matching(alerts, REFUSED)).toHaveLength(1));

    h.crm.emulator.admin.liftBlockLimit();
    await eventually(() => expect(h!.activities()).toHaveLength(2), { timeoutMs: 20_000 });
    expect(h.contacts()).toHaveLength(1);
  }, 30_000);

  it("treats the same 403 on an update as an ordinary refusal: the lead is dead-lettered and nothing is held", async () => {
    const { h, alerts } = await start();
    expect((await h.postLead({ email: "kim@example.com", company: "Acme" })).status).toBe(200);
    h.crm.emulator.faults.failNext(1, {
      method: "PATCH",
      path: /^\/v1\/pages\//,
      kind: "status",
      status: 403,
      code: "restricted_resource",
    });
    await h.postLead({ email: "kim@example.com", message: "again" });
    await eventually(() => expect(queueCounts(h)).toMatchObject({ dead: 1, held: 0 }));
    await eventually(() => expect(matching(alerts, /dead-lettered/)).toHaveLength(1));
    expect(matching(alerts, REFUSED)).toHaveLength(0);
  }, 30_000);

  it("posts the creates-refused alert again while it lasts once the repeat interval has passed", async () => {
    const { h, alerts } = await start({}, { alertRepeatMs: 400 });
    h.crm.emulator.admin.limitBlocks(0);
    await h.postLead({ email: "long@example.com" });
    await eventually(() =>
      expect(matching(alerts, /^Still: .*Notion refuses to create pages/).length).toBeGreaterThanOrEqual(1),
    );
    expect(matching(alerts, /^:warning: \*Notion refuses/)).toHaveLength(1);
  }, 30_000);
});

describe("operator alerts", () => {
  let h: CrmHarness | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
  });

  it("posts one dead-letter alert naming the count and `npm run jobs`, and one when it clears", async () => {
    const alerts = await startSlackReceiver();
    const sales = await startSlackReceiver();
    receivers.push(alerts, sales);
    h = await startCrmHarness({
      env: { SLACK_WEBHOOK_URL: sales.url, SLACK_ALERTS_WEBHOOK_URL: alerts.url },
      overrides: { alertCheckIntervalMs: ALERT_CHECK_MS },
    });
    h.crm.emulator.admin.updateProperty(h.crm.dataSources.contacts, "Company", { number: {} });
    const response = await h.postLead({ email: "dead@example.com", company: "Acme" });
    await eventually(() => expect(matching(alerts, /dead-lettered/)).toHaveLength(1));
    const [alert] = matching(alerts, /dead-lettered/);
    expect(alert).toContain("1 lead and 0 deal events dead-lettered");
    expect(alert).toContain("npm run jobs");
    // Many checks later, still one.
    const checksSoFar = alerts.attempts();
    await new Promise((resolve) => setTimeout(resolve, ALERT_CHECK_MS * 10));
    expect(alerts.attempts()).toBe(checksSoFar);

    h.crm.emulator.admin.updateProperty(h.crm.dataSources.contacts, "Company", { rich_text: {} });
    const retried = await runTsFile("scripts/jobs.ts", {
      env: { DATA_DIR: h.dataDir },
      args: ["retry", response.body.id as string],
    });
    expect(retried.code).toBe(0);
    await eventually(() => expect(matching(alerts, /No dead-lettered leads/)).toHaveLength(1));
    expect(matching(alerts, /dead-lettered\*/)).toHaveLength(1);
    expect(texts(sales)).toEqual([]);
  }, 30_000);

  it("posts one backlog alert when the oldest waiting lead is older than the limit, to SLACK_WEBHOOK_URL without an alerts URL", async () => {
    const slack = await startSlackReceiver();
    receivers.push(slack);
    h = await startCrmHarness({
      env: { SLACK_WEBHOOK_URL: slack.url },
      overrides: { alertCheckIntervalMs: ALERT_CHECK_MS, backlogAlertAfterMs: 300, retryBaseMs: 200 },
    });
    h.crm.emulator.faults.unavailableFor(60_000);
    const response = await h.postLead({ email: "waiting@example.com" });
    expect(response.status).toBe(202);
    await eventually(() => expect(matching(slack, /Leads are waiting for Notion/)).toHaveLength(1));
    expect(matching(slack, /Leads are waiting for Notion/)[0]).toMatch(/1 lead queued, the oldest for \d+ s/);

    h.crm.emulator.faults.reset();
    await eventually(() => expect(h!.contacts()).toHaveLength(1), { timeoutMs: 20_000 });
    await eventually(() => expect(matching(slack, /lead backlog is cleared/)).toHaveLength(1));
    expect(matching(slack, /Leads are waiting for Notion/)).toHaveLength(1);
  }, 40_000);
});
