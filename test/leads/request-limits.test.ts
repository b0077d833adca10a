import { afterEach, describe, expect, it } from "vitest";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { openStore } from "../../src/store/open-store.js";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { emailOf } from "../support/notion-page.js";

// Notion's budget on Free and Plus: 180 requests in any 60 s, which may be spent in one burst.
const REQUESTS_PER_MINUTE = 180;

let h: CrmHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const start = () =>
  startCrmHarness({
    emulator: { requestsPerMinute: REQUESTS_PER_MINUTE },
    env: { NOTION_REQUESTS_PER_MINUTE: String(REQUESTS_PER_MINUTE) },
  });

const queueCounts = (harness: CrmHarness) => {
  const db = openStore(harness.dataDir);
  try {
    return createLeadQueue(db).counts();
  } finally {
    db.close();
  }
};

describe("Notion's per-minute budget", () => {
  it("sends 30 new leads posted at once to Notion in one burst: all written, none refused, well inside one window", async () => {
    h = await start();
    const harness = h;
    const emails = Array.from({ length: 30 }, (_, i) => `burst${i}@example.com`);
    const answers = await Promise.all(emails.map((email) => harness.postLead({ email, name: email })));
    expect(answers.every((answer) => answer.status === 200 || answer.status === 202)).toBe(true);
    await eventually(() => expect(queueCounts(harness)).toEqual({ done: 30 }), { timeoutMs: 30_000 });
    expect(new Set(h.contacts().map(emailOf))).toEqual(new Set(emails));
    expect(h.activities()).toHaveLength(30);
    // Every call fitted in the one budget: Notion never had to refuse one, and the server never had to wait a window.
    expect(h.crm.emulator.stats.rateLimited).toBe(0);
    expect(h.crm.emulator.stats.requests.length).toBeLessThanOrEqual(REQUESTS_PER_MINUTE);
    // Each lead's contact is created before its activity, which points at it.
    const contactPosts = h.crm.emulator.stats.requests.filter((r) => r.method === "POST" && r.path === "/v1/pages");
    expect(contactPosts).toHaveLength(60);
  }, 60_000);
});

describe("a write Notion saved but answered 503 with retry_guidance", () => {
  const pagePosts = (harness: CrmHarness) =>
    harness.crm.emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/, status: 200 }) +
    harness.crm.emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/, status: 503 });
  const queriesOf = (harness: CrmHarness, dataSourceId: string) =>
    harness.crm.emulator.stats.count({ method: "POST", path: new RegExp(`^/v1/data_sources/${dataSourceId}/query$`) });

  it.each([true, false])(
    "a new contact (committed_resource_id given: %s) is that one page: the create is never repeated",
    async (includeCommittedResourceId) => {
      h = await start();
      h.crm.emulator.faults.failNext(1, {
        kind: "saved-then-503",
        method: "POST",
        path: /^\/v1\/pages$/,
        includeCommittedResourceId,
      });
      await h.postLead({ email: "ann@example.com", name: "Ann" });
      await eventually(() => expect(queueCounts(h!)).toEqual({ done: 1 }), { timeoutMs: 20_000 });
      expect(h.contacts().map(emailOf)).toEqual(["ann@example.com"]);
      expect(h.activities()).toHaveLength(1);
      // The contact's create once, the activity's create once.
      expect(pagePosts(h)).toBe(2);
      // With the id, no look-again query: only the lookup before the create.
      if (includeCommittedResourceId) expect(queriesOf(h, h.crm.dataSources.contacts)).toBe(1);
    },
    30_000,
  );

  it.each([true, false])(
    "a lead's activity row (committed_resource_id given: %s) is that one row: the create is never repeated",
    async (includeCommittedResourceId) => {
      h = await start();
      expect((await h.postLead({ email: "kim@example.com" })).status).toBe(200);
      const postsBefore = pagePosts(h);
      // The known contact is updated (PATCH): the next page created is the activity.
      h.crm.emulator.faults.failNext(1, {
        kind: "saved-then-503",
        method: "POST",
        path: /^\/v1\/pages$/,
        includeCommittedResourceId,
      });
      await h.postLead({ email: "kim@example.com", message: "again" });
      await eventually(() => expect(queueCounts(h!)).toEqual({ done: 2 }), { timeoutMs: 20_000 });
      expect(h.contacts()).toHaveLength(1);
      expect(h.activities()).toHaveLength(2);
      expect(pagePosts(h) - postsBefore).toBe(1);
      if (includeCommittedResourceId) expect(queriesOf(h, h.crm.dataSources.activities)).toBe(0);
    },
    30_000,
  );
});
