import Database from "better-sqlite3";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createNotionEventStore } from "../../src/deal-webhooks/notion-event-store.js";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { createQueuePruner, DAY_MS } from "../../src/queue/prune-queues.js";
import { createSlackOutbox } from "../../src/slack/slack-outbox.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { makeTempDir } from "../support/temp-dir.js";
import { queuedLead as lead } from "../support/queued-lead.js";

const RETENTION_DAYS = 90;

let dir: ReturnType<typeof makeTempDir>;
let db: Store;
let clock: number;
const now = () => clock;
beforeEach(() => {
  dir = makeTempDir();
  db = openStore(dir.path);
  clock = Date.UTC(2026, 0, 1);
});
afterEach(() => {
  db.close();
  dir.remove();
});

it("prunes every registered queue's rows finished more than RETENTION_DAYS ago, never queued ones", () => {
  const leads = createLeadQueue(db, now);
  const events = createNotionEventStore(db, now);
  const outbox = createSlackOutbox(db, now);
  const old = leads.enqueue(lead("old@example.com")).submission;
  leads.finish([old.id]);
  leads.enqueue(lead("spam@example.com"), "form:spam", "spam");
  const stillQueued = leads.enqueue(lead("waiting@example.com")).submission;
  events.record({ id: "evt-old", type: "page.created", entity: { id: "page-1", type: "page" } });
  events.settle(["evt-old"], "done");
  const sent = outbox.enqueue({ text: "old message" }).item;
  outbox.markSent(sent.id);

  clock += (RETENTION_DAYS - 1) * DAY_MS;
  const recent = leads.enqueue(lead("recent@example.com")).submission;
  leads.finish([recent.id]);

  const log = captureLogger();
  const pruner = createQueuePruner({
    queues: [
      { name: "lead submissions", pruneFinished: leads.pruneFinished },
      { name: "Notion events", pruneFinished: events.pruneFinished },
      { name: "Slack messages", pruneFinished: outbox.pruneFinished },
    ],
    retentionMs: RETENTION_DAYS * DAY_MS,
    logger: log.logger,
  });
  expect(pruner.pruneNow()).toEqual({ "lead submissions": 0, "Notion events": 0, "Slack messages": 0 });

  clock += 2 * DAY_MS;
  expect(pruner.pruneNow()).toEqual({ "lead submissions": 2, "Notion events": 1, "Slack messages": 1 });
  expect(leads.get(old.id)).toBeUndefined();
  expect(leads.get(stillQueued.id)?.state).toBe("queued");
  expect(leads.get(recent.id)?.state).toBe("done");
  expect(log.lines().find((line) => line.msg === "pruned finished rows past RETENTION_DAYS")).toBeDefined();
});

it("logs a queue that cannot be pruned (a full disk) and prunes the others", () => {
  const outbox = createSlackOutbox(db, now);
  const sent = outbox.enqueue({ text: "old" }).item;
  outbox.markSent(sent.id);
  clock += 100 * DAY_MS;
  const log = captureLogger();
  const pruner = createQueuePruner({
    queues: [
      {
        name: "broken",
        pruneFinished: () => {
          throw new Database.SqliteError("database or disk is full", "SQLITE_FULL");
        },
      },
      { name: "Slack messages", pruneFinished: outbox.pruneFinished },
    ],
    retentionMs: RETENTION_DAYS * DAY_MS,
    logger: log.logger,
  });
  expect(() => pruner.pruneNow()).not.toThrow();
  expect(outbox.get(sent.id)).toBeUndefined();
  expect(log.lines()).toContainEqual(
    expect.objectContaining({ queue: "broken", msg: "pruning finished rows failed; tried again on the next tick" }),
  );
});
