import { afterEach, expect, it } from "vitest";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { createCreateHold } from "../../src/notion/create-hold.js";
import { openStore } from "../../src/store/open-store.js";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { startSlackReceiver } from "../support/slack-receiver.js";

// Scaled: a lead's first retry waits a minute (2 s in production, up to 5 minutes later), the outage lasts until
// every lead waits out its backoff (two minutes in the issue), and Notion is asked every 100 ms (10 s in
// production) whether it is back.
const RETRY_BASE_MS = 60_000;

let h: CrmHarness | undefined;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** A second connection to the server's state file, as `npm run jobs` has. */
function withQueue<T>(harness: CrmHarness, read: (queue: ReturnType<typeof createLeadQueue>) => T): T {
  const db = openStore(harness.dataDir);
  try {
    return read(createLeadQueue(db));
  } finally {
    db.close();
  }
}

const lead = (n: number) => ({ email: `waiting-${n}@example.com`, name: `Waiting ${n}` });

it("after an outage, leads waiting out their backoff go to Notion at its first success, not after their own backoff", async () => {
  h = await startCrmHarness({
    overrides: { retryBaseMs: RETRY_BASE_MS, leadResponseWaitMs: 0, recoveryProbeIntervalMs: 100 },
  });
  const harness = h;
  // The server is up and writing: one lead goes through before the outage.
  await harness.postLead({ email: "before@example.com" });
  await eventually(() => expect(withQueue(harness, (queue) => queue.counts())).toEqual({ done: 1 }));

  harness.crm.emulator.faults.unavailableFor(10 * 60_000, 503);
  const outageStartedAt = Date.now();
  for (let n = 0; n < 5; n++) expect((await harness.postLead(lead(n))).status).toBe(202);

  // Each lead failed once and now waits out a backoff of a minute or more.
  await eventually(() =>
    withQueue(harness, (queue) => {
      const waiting = queue.list("queued");
      expect(waiting).toHaveLength(5);
      for (const submission of waiting) {
        expect(submission.attempts).toBe(1);
        expect(submission.nextAttemptAtMs).toBeGreaterThan(outageStartedAt + RETRY_BASE_MS / 2);
      }
    }),
  );
  // Notion answers again.
  harness.crm.emulator.faults.reset();

  // Notion is back: all five arrive long before the first backoff of a minute would end.
  await eventually(() => expect(withQueue(harness, (queue) => queue.counts())).toEqual({ done: 6 }), {
    timeoutMs: 20_000,
  });
  expect(harness.contacts()).toHaveLength(6);
  withQueue(harness, (queue) => {
    // One failed try and one that worked: none sat out its backoff.
    for (let n = 0; n < 5; n++) expect(queue.forEmail(lead(n).email).map((s) => s.attempts)).toEqual([2]);
  });
  const resumed = harness.log
    .lines()
    .filter(
      (line) => line.msg === "Notion answers again: work waiting on backoff resumes now" && line.queue === "leads",
    )
    .reduce((sum, line) => sum + (line.resumed as number), 0);
  expect(resumed).toBe(5);
});

it("holds the leads, instead of dead-lettering each, when Notion refuses the token (401), and alerts the operator", async () => {
  const alerts = await startSlackReceiver();
  stops.push(alerts.stop);
  h = await startCrmHarness({
    env: { SLACK_ALERTS_WEBHOOK_URL: alerts.url },
    overrides: { leadResponseWaitMs: 0, holdRetryMs: 1_500, alertCheckIntervalMs: 50 },
  });
  const harness = h;
  // Notion's answer to a revoked token: HTTP 401 {"object":"error","code":"unauthorized"}.
  harness.crm.emulator.faults.failNext(2, { kind: "status", status: 401, code: "unauthorized" });
  await harness.postLead({ email: "one@example.com" });
  await harness.postLead({ email: "two@example.com" });
  await eventually(() => expect(withQueue(harness, (queue) => queue.heldCount())).toBe(2));
  expect(withQueue(harness, (queue) => queue.counts().dead ?? 0)).toBe(0);
  const db = openStore(harness.dataDir);
  try {
    expect(createCreateHold(db).state()?.cause).toBe("unauthorized");
  } finally {
    db.close();
  }
  await eventually(() => expect(alerts.received.map((m) => m.body.text).join("\n")).toContain("HTTP 401"));

  // The token works again: the probe goes through and the held leads follow.
  await eventually(() => expect(withQueue(harness, (queue) => queue.counts())).toEqual({ done: 2 }), {
    timeoutMs: 15_000,
  });
  expect(harness.contacts()).toHaveLength(2);
  expect(harness.log.lines().filter((line) => line.msg.startsWith("NOTION REFUSES ACCESS"))).toHaveLength(1);
});

it("holds the leads when a configured database is unshared after start (404 on its data source)", async () => {
  h = await startCrmHarness({ overrides: { leadResponseWaitMs: 0, holdRetryMs: 1_500 } });
  const harness = h;
  // Notion's answer for a database no longer shared: HTTP 404 {"code":"object_not_found"}.
  harness.crm.emulator.faults.failNext(1, {
    kind: "status",
    status: 404,
    code: "object_not_found",
    path: /\/v1\/data_sources\/[^/]+\/query/,
  });
  await harness.postLead({ email: "unshared@example.com" });
  await eventually(() => expect(withQueue(harness, (queue) => queue.heldCount())).toBe(1));
  const db = openStore(harness.dataDir);
  try {
    expect(createCreateHold(db).state()?.cause).toBe("unshared");
  } finally {
    db.close();
  }
  await eventually(() => expect(withQueue(harness, (queue) => queue.counts())).toEqual({ done: 1 }), {
    timeoutMs: 15_000,
  });
  expect(harness.contacts()).toHaveLength(1);
});
