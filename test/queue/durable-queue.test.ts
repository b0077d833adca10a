import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDurableQueue, type DurableQueueTable } from "../../src/queue/durable-queue.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { makeTempDir } from "../support/temp-dir.js";

/** A queue table as the next ones (Slack clicks, inbound emails) will be: every optional column of the contract. */
const CREATE_TABLE = `
  CREATE TABLE test_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idem_key TEXT UNIQUE,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'dead', 'ignored')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    last_error TEXT,
    finished_at_ms INTEGER,
    lease_until_ms INTEGER,
    held_since_ms INTEGER,
    result_json TEXT
  ) STRICT;
  CREATE INDEX test_jobs_due ON test_jobs (state, next_attempt_at_ms);
`;

type Row = {
  id: number;
  topic: string;
  payload: string;
  state: string;
  attempts: number;
  next_attempt_at_ms: number;
  last_error: string | null;
  finished_at_ms: number | null;
  held_since_ms: number | null;
  result_json: string | null;
};
const TABLE: DurableQueueTable<Row, Row> = {
  table: "test_jobs",
  keyColumn: "idem_key",
  createdAtColumn: "received_at_ms",
  finalStates: ["ignored"],
  leases: true,
  parkedColumn: "held_since_ms",
  resultColumn: "result_json",
  groupColumn: "topic",
  fromRow: (row) => row,
};

describe("the durable queue", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let clock: number;
  const now = () => clock;
  const queue = () => createDurableQueue(db, TABLE, now);
  beforeEach(() => {
    dir = makeTempDir("crm-durable-queue-");
    db = openStore(dir.path);
    db.exec(CREATE_TABLE);
    clock = 1_000_000;
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it("stores a key once: a second enqueue returns the first row and says it is not new", () => {
    const jobs = queue();
    const first = jobs.enqueue({ topic: "a", payload: "one" }, { key: "click-1" });
    const again = jobs.enqueue({ topic: "a", payload: "two" }, { key: "click-1" });
    expect(first.isNew).toBe(true);
    expect(again).toEqual({ item: first.item, isNew: false });
    expect(jobs.findByKey("click-1")?.payload).toBe("one");
    // Without a key nothing is deduplicated.
    expect(jobs.enqueue({ topic: "a", payload: "x" }).isNew).toBe(true);
    expect(jobs.enqueue({ topic: "a", payload: "x" }).isNew).toBe(true);
    expect(jobs.count("queued")).toBe(3);
  });

  it("refuses a state the table does not declare, and stores nothing", () => {
    const jobs = queue();
    expect(() => jobs.enqueue({ topic: "a", payload: "x" }, { state: "spam" })).toThrow(/no state spam/);
    expect(jobs.counts()).toEqual({});
  });

  it("runs the state machine: retry later, done with a result, dead, revive; attempts count every try", () => {
    const jobs = queue();
    const { item } = jobs.enqueue({ topic: "a", payload: "x" });
    expect(jobs.due(10).map((row) => row.id)).toEqual([item.id]);

    expect(jobs.retryLater([item.id], clock + 5_000, "HTTP 503")).toBe(1);
    expect(jobs.due(10)).toEqual([]);
    expect(jobs.nextDueAtMs()).toBe(clock + 5_000);
    clock += 5_000;
    expect(jobs.due(10).map((row) => row.id)).toEqual([item.id]);

    expect(jobs.markDone([item.id], { result: { pageId: "p1" } })).toBe(1);
    const done = jobs.get(item.id)!;
    expect(done).toMatchObject({ state: "done", attempts: 2, last_error: null, finished_at_ms: clock });
    expect(JSON.parse(done.result_json!)).toEqual({ pageId: "p1" });
    // A finished row cannot be moved by a late worker.
    expect(jobs.bury([item.id], "late")).toBe(0);
    expect(jobs.retryLater([item.id], clock, "late")).toBe(0);

    const other = jobs.enqueue({ topic: "b", payload: "y" }).item;
    expect(jobs.bury([other.id], "HTTP 400")).toBe(1);
    expect(jobs.get(other.id)).toMatchObject({ state: "dead", attempts: 1, last_error: "HTTP 400" });
    expect(jobs.list("dead").map((row) => row.id)).toEqual([other.id]);
    expect(jobs.revive(other.id)).toBe(true);
    expect(jobs.revive(other.id)).toBe(false);
    expect(jobs.get(other.id)).toMatchObject({ state: "queued", finished_at_ms: null, next_attempt_at_ms: clock });
    expect(jobs.counts()).toEqual({ done: 1, queued: 1 });
  });

  it("leases what it claims: a second process sharing the file gets other rows, and a lapsed lease frees a row", () => {
    const mine = queue();
    const theirs = queue();
    const ids = [1, 2, 3].map((n) => mine.enqueue({ topic: "a", payload: String(n) }).item.id);
    expect(mine.claimDue(2, 60_000).map((row) => row.id)).toEqual(ids.slice(0, 2));
    expect(theirs.claimDue(2, 60_000).map((row) => row.id)).toEqual([ids[2]]);
    expect(theirs.claim(ids[0]!, 60_000)).toBe(false);
    clock += 60_001;
    expect(theirs.claim(ids[0]!, 60_000)).toBe(true);
    // A retry gives the row up at once.
    theirs.retryLater([ids[0]!], clock, "timeout");
    expect(mine.claim(ids[0]!, 1_000)).toBe(true);
  });

  it("parks rows apart from the waiting ones, and unparks them due now", () => {
    const jobs = queue();
    const held = jobs.enqueue({ topic: "a", payload: "held" }).item;
    clock += 1_000;
    const waiting = jobs.enqueue({ topic: "b", payload: "waiting" }).item;
    expect(jobs.park([held.id], "refused")).toBe(1);
    clock += 1_000;
    expect(jobs.park([held.id], "refused again")).toBe(1);
    expect(jobs.get(held.id)).toMatchObject({ held_since_ms: 1_001_000, attempts: 0, last_error: "refused again" });
    expect(jobs.parkedCount()).toBe(1);
    expect(jobs.listParked().map((row) => row.id)).toEqual([held.id]);
    expect(jobs.waiting()).toEqual({ count: 1, oldestAtMs: waiting.next_attempt_at_ms });
    expect(jobs.due(10).map((row) => row.id)).toEqual([waiting.id]);
    expect(jobs.dueGroups(10)).toEqual(["b"]);

    expect(jobs.unparkAll()).toBe(1);
    expect(jobs.parkedCount()).toBe(0);
    expect(jobs.dueGroups(10)).toEqual(["a", "b"]);
    expect(jobs.queuedInGroup("a").map((row) => row.id)).toEqual([held.id]);
  });

  it("prunes rows finished longer ago than asked, never queued ones; discard drops only a dead row", () => {
    const jobs = queue();
    const old = jobs.enqueue({ topic: "a", payload: "old" }).item;
    jobs.markDone([old.id]);
    const ignored = jobs.enqueue({ topic: "a", payload: "ignored" }, { state: "ignored" }).item;
    expect(ignored.finished_at_ms).toBe(clock);
    const stillQueued = jobs.enqueue({ topic: "a", payload: "queued" }).item;
    clock += 10 * 86_400_000;
    const recent = jobs.enqueue({ topic: "a", payload: "recent" }).item;
    jobs.bury([recent.id], "refused");

    expect(jobs.pruneFinished(7 * 86_400_000)).toBe(2);
    expect(jobs.get(old.id)).toBeUndefined();
    expect(jobs.get(ignored.id)).toBeUndefined();
    expect(jobs.get(stillQueued.id)?.state).toBe("queued");
    expect(jobs.get(recent.id)?.state).toBe("dead");

    expect(jobs.discard(stillQueued.id)).toBe(false);
    expect(jobs.discard(recent.id)).toBe(true);
    expect(jobs.counts()).toEqual({ queued: 1 });
  });

  it("says which optional column a call needs when the table lacks it", () => {
    const plain = createDurableQueue(db, { ...TABLE, leases: false, parkedColumn: undefined, groupColumn: undefined });
    expect(() => plain.claimDue(1, 1_000)).toThrow(/lease_until_ms/);
    expect(() => plain.park([1], "x")).toThrow(/parked column/);
    expect(() => plain.dueGroups(1)).toThrow(/group column/);
  });
});
