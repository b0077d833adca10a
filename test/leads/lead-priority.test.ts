import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLeadQueue, SIGNED_PRIORITY, UNSIGNED_PRIORITY } from "../../src/leads/lead-queue.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { makeTempDir } from "../support/temp-dir.js";
import { FORM_ENV, SITE } from "../web-form/form-kit.js";
import { queuedLead as lead } from "../support/queued-lead.js";

describe("the lead queue's order", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let clock = 1_000_000;
  beforeEach(() => {
    dir = makeTempDir();
    db = openStore(dir.path);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it("puts a signed lead before every unsigned /form post waiting, however many came first", () => {
    const queue = createLeadQueue(db, () => clock++);
    for (let n = 0; n < 150; n++) queue.enqueue(lead(`form-${n}@example.com`), undefined, "queued", UNSIGNED_PRIORITY);
    queue.enqueue(lead("signed@example.com"), undefined, "queued", SIGNED_PRIORITY);
    queue.enqueue(lead("signed-later@example.com"));
    // The lead worker takes this many emails at a time (its concurrency): the signed ones come first, oldest first.
    expect(queue.dueEmails(4)).toEqual([
      "signed@example.com",
      "signed-later@example.com",
      "form-0@example.com",
      "form-1@example.com",
    ]);
  });
});

describe("the routes' priority", () => {
  let h: CrmHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("stores /form posts as unsigned and /lead posts as signed", async () => {
    h = await startCrmHarness({ env: FORM_ENV, overrides: { leadResponseWaitMs: 0 } });
    const harness = h;
    await request(harness.server.url)
      .post("/form")
      .set("Origin", SITE)
      .type("form")
      .send("email=browser%40example.com");
    await harness.postLead({ email: "backend@example.com" });
    const store = openStore(harness.dataDir);
    try {
      const rows = store.prepare("SELECT email, priority FROM lead_submissions ORDER BY email").all();
      expect(rows).toEqual([
        { email: "backend@example.com", priority: SIGNED_PRIORITY },
        { email: "browser@example.com", priority: UNSIGNED_PRIORITY },
      ]);
    } finally {
      store.close();
    }
  });

  it("lets a signed lead through at once while a /form flood has spent its share of Notion's budget", async () => {
    // 60 requests a minute: /form posts may spend 50 of them, and 30 new /form leads need about 90.
    h = await startCrmHarness({
      emulator: { requestsPerMinute: 60 },
      env: { ...FORM_ENV, NOTION_REQUESTS_PER_MINUTE: "60" },
      overrides: { leadResponseWaitMs: 0 },
    });
    const harness = h;
    for (let n = 0; n < 30; n++) {
      const answer = await request(harness.server.url)
        .post("/form")
        .set("Origin", SITE)
        .type("form")
        .send(`email=flood-${n}%40example.com`);
      expect(answer.status).toBe(200);
    }
    const waiting = () => {
      const store = openStore(harness.dataDir);
      try {
        return createLeadQueue(store).jobs.count("queued");
      } finally {
        store.close();
      }
    };
    // The flood has spent what it may of this minute: its leads wait for the next one.
    await eventually(() => expect(harness.crm.emulator.stats.requests.length).toBeGreaterThanOrEqual(50), {
      timeoutMs: 20_000,
    });
    await harness.postLead({ email: "signed@example.com", name: "Signed" });
    await eventually(() =>
      expect(harness.contacts().map((page) => (page.properties["Email"] as { email: string }).email)).toContain(
        "signed@example.com",
      ),
    );
    // The signed lead did not wait for the flood: most of it is still queued, and Notion refused nothing.
    expect(waiting()).toBeGreaterThan(0);
    expect(harness.crm.emulator.stats.rateLimited).toBe(0);
  });
});
