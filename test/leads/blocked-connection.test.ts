import { afterEach, expect, it } from "vitest";
import { checkLeadQueue } from "../../src/check/check-lead-queue.js";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { openStore } from "../../src/store/open-store.js";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { emailOf } from "../support/notion-page.js";
import { runTsFile } from "../support/run-node.js";
import { startSlackReceiver } from "../support/slack-receiver.js";

// Test-sized intervals: 10 minutes and 30 seconds in production.
const HOLD_RETRY_MS = 1_200;
const ALERT_CHECK_MS = 50;

type Receiver = Awaited<ReturnType<typeof startSlackReceiver>>;
const matching = (receiver: Receiver, pattern: RegExp) =>
  receiver.received.map((message) => message.body.text).filter((text) => pattern.test(text));
const BLOCKED = /Notion has blocked this integration/;

let h: CrmHarness | undefined;
const receivers: Receiver[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
});

/** A second connection to the server's state file, as `npm run jobs` and `npm run check` have. */
function withState<T>(harness: CrmHarness, read: (db: ReturnType<typeof openStore>) => T): T {
  const db = openStore(harness.dataDir);
  try {
    return read(db);
  } finally {
    db.close();
  }
}
const queueCounts = (harness: CrmHarness) =>
  withState(harness, (db) => {
    const queue = createLeadQueue(db);
    return { ...queue.counts(), held: queue.heldCount() };
  });
const blockedAnswers = (harness: CrmHarness) =>
  harness.crm.emulator.stats.requests.filter((request) => request.status === 429);

it("holds every lead while Notion blocks the connection (429 public_api_request_blocked): no retry loop, one probe per interval, an alert naming Notion support, `check` and `jobs` say so, and all arrive once after the lift", async () => {
  const sales = await startSlackReceiver();
  const alerts = await startSlackReceiver();
  receivers.push(sales, alerts);
  h = await startCrmHarness({
    env: { SLACK_WEBHOOK_URL: sales.url, SLACK_ALERTS_WEBHOOK_URL: alerts.url },
    overrides: { holdRetryMs: HOLD_RETRY_MS, alertCheckIntervalMs: ALERT_CHECK_MS },
  });
  expect((await h.postLead({ email: "known@example.com", name: "Kim Known" })).status).toBe(200);
  h.crm.emulator.faults.blocked = true;

  const answers = [];
  for (let i = 0; i < 5; i++) answers.push(await h.postLead({ email: `new${i}@example.com`, name: `New ${i}` }));
  // Blocked holds updates of known contacts too: nothing goes through.
  answers.push(await h.postLead({ email: "known@example.com", company: "Known Corp" }));
  expect(answers.every((answer) => answer.status === 200 || answer.status === 202)).toBe(true);
  await eventually(() => expect(queueCounts(h!)).toMatchObject({ held: 6 }));
  expect(queueCounts(h).dead).toBeUndefined();
  expect(h.contacts().map(emailOf)).toEqual(["known@example.com"]);

  // One request per batch before the hold, then probes no closer than the hold interval: no retry loop.
  await eventually(() => expect(blockedAnswers(h!).length).toBeGreaterThanOrEqual(4), { timeoutMs: 20_000 });
  const times = blockedAnswers(h).map((request) => request.at);
  const probes = times.filter((at) => at - times[0]! > HOLD_RETRY_MS / 2);
  for (let i = 1; i < probes.length; i++)
    expect(probes[i]! - probes[i - 1]!).toBeGreaterThanOrEqual(HOLD_RETRY_MS * 0.9);
  expect(times.length - probes.length).toBeLessThanOrEqual(6);

  await eventually(() => expect(matching(alerts, BLOCKED)).toHaveLength(1));
  const [alert] = matching(alerts, BLOCKED);
  expect(alert).toContain("public_api_request_blocked");
  expect(alert).toMatch(/only Notion support can/);
  expect(alert).toContain("npm run jobs");
  expect(matching(alerts, /Notion refuses to create pages/)).toHaveLength(0);
  expect(sales.received).toEqual([]);

  const [creates] = withState(h, (db) => checkLeadQueue(db, { backlogAfterMs: 3_600_000 }));
  expect(creates).toMatchObject({ outcome: "fail" });
  expect(creates!.detail).toMatch(/Notion blocked this connection/);
  expect(creates!.detail).toMatch(/only Notion support can/);
  const jobs = await runTsFile("scripts/jobs.ts", { env: { DATA_DIR: h.dataDir } });
  expect(jobs.stdout).toMatch(/Held leads: 6 \(Notion blocked this connection/);

  h.crm.emulator.faults.blocked = false;
  await eventually(() => expect(queueCounts(h!)).toMatchObject({ done: 7 }), { timeoutMs: 20_000 });
  const emails = h.contacts().map(emailOf);
  expect(emails).toHaveLength(6);
  expect(new Set(emails).size).toBe(6);
  expect(h.activities()).toHaveLength(7);
  await eventually(() => expect(matching(alerts, /accepts this integration's requests again/)).toHaveLength(1));
  expect(matching(alerts, BLOCKED)).toHaveLength(1);
}, 60_000);
