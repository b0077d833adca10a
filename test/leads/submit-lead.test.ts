import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLeadQueue, type LeadQueue } from "../../src/leads/lead-queue.js";
import type { LeadWorker } from "../../src/leads/lead-worker.js";
import { submitLead, type LeadSubmission, type SubmitLeadDependencies } from "../../src/leads/submit-lead.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { makeTempDir } from "../support/temp-dir.js";

const PAGE_ID = "11111111-2222-3333-4444-555555555555";

// The use case alone, over a real queue: the worker is a stand-in that
// counts what it is asked and, when told to, writes the lead "to Notion".
describe("submitLead", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let queue: LeadQueue;
  let notified: number;
  let waits: number;
  let writesWhileWaiting: boolean;

  const worker: LeadWorker = {
    start: () => undefined,
    stop: async () => undefined,
    notify: () => void notified++,
    async waitFor(id) {
      waits++;
      if (writesWhileWaiting) {
        queue.setContact([id], PAGE_ID, ["created"]);
        queue.finish([id]);
      }
      return queue.get(id);
    },
  };
  const deps = (more: Partial<SubmitLeadDependencies> = {}): SubmitLeadDependencies => ({ queue, worker, ...more });
  const submission = (more: Partial<LeadSubmission> = {}): LeadSubmission => ({
    lead: {
      ok: true,
      lead: { email: "ann@example.com", name: "Ann", company: undefined, message: undefined, utm_source: undefined },
    },
    idempotencyKey: "lead:d-1",
    honeypotFilled: false,
    log: captureLogger().logger,
    ...more,
  });

  beforeEach(() => {
    dir = makeTempDir();
    db = openStore(dir.path);
    queue = createLeadQueue(db);
    notified = 0;
    waits = 0;
    writesWhileWaiting = false;
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it("answers with the contact page when the worker writes it while the sender waits", async () => {
    writesWhileWaiting = true;
    expect(await submitLead(deps(), submission())).toEqual({ kind: "created", id: PAGE_ID });
    expect([notified, waits]).toEqual([1, 1]);
  });

  it("answers queued with the submission id when the worker has not written it yet", async () => {
    const outcome = await submitLead(deps(), submission());
    expect(outcome).toEqual({ kind: "queued", id: queue.list("queued")[0]!.id });
    expect(notified).toBe(1);
  });

  it("answers as soon as the lead is stored when told not to wait", async () => {
    const outcome = await submitLead(deps({ responseWaitMs: 0 }), submission());
    expect(outcome.kind).toBe("queued");
    expect([notified, waits]).toEqual([1, 0]);
  });

  it("refuses an invalid lead and stores nothing", async () => {
    const details = [{ field: "email", message: "must be an email address" }];
    const outcome = await submitLead(deps(), submission({ lead: { ok: false, error: "invalid lead", details } }));
    expect(outcome).toEqual({ kind: "invalid", error: "invalid lead", details });
    expect(queue.counts()).toEqual({});
  });

  it("refuses a sender over its limit before storing anything", async () => {
    const limits = { take: () => ({ ok: false as const, limitedBy: "email" as const, retryAfterSeconds: 120 }) };
    expect(await submitLead(deps({ limits }), submission())).toEqual({
      kind: "limited",
      limitedBy: "email",
      retryAfterSeconds: 120,
    });
    expect(queue.counts()).toEqual({});
  });

  it("stores a filled honeypot as spam, never wakes the worker, and answers a redelivery the same", async () => {
    const first = await submitLead(deps(), submission({ honeypotFilled: true }));
    expect(first).toEqual({ kind: "spam", id: queue.list("spam")[0]!.id });
    expect(await submitLead(deps(), submission({ honeypotFilled: true }))).toEqual(first);
    expect([notified, waits]).toEqual([0, 0]);
    expect(queue.counts()).toEqual({ spam: 1 });
  });

  it("does not count a redelivery against the sender's limit", async () => {
    let taken = 0;
    const limits = { take: () => (taken++, { ok: true as const }) };
    await submitLead(deps({ limits }), submission());
    await submitLead(deps({ limits }), submission());
    expect(taken).toBe(1);
    expect(queue.counts()).toEqual({ queued: 1 });
  });

  it("flags a suspicious lead and still queues it for Notion", async () => {
    const outcome = await submitLead(deps({ suspicionsOf: () => ["name looks like a link"] }), submission());
    expect(outcome.kind).toBe("queued");
    expect(queue.list("queued")[0]!.lead.context).toEqual({ flags: ["name looks like a link"] });
  });
});
