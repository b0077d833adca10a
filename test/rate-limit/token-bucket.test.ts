import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTokenBucket } from "../../src/rate-limit/token-bucket.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { makeTempDir } from "../support/temp-dir.js";

const RATE_PER_SECOND = 20;
const INTERVAL_MS = 1000 / RATE_PER_SECOND;
// setTimeout may fire up to a millisecond early relative to Date.now().
const CLOCK_SLACK_MS = 2;

/**
 * The k-th grant (from 0) may not come before start + k intervals. Measured
 * from the start rather than between neighbours: a grant recorded a few ms
 * late on a busy machine would make the next gap look short, though no
 * token came early.
 */
function expectPaced(times: number[], start: number): void {
  const sorted = [...times].sort((a, b) => a - b);
  sorted.forEach((time, k) => expect(time - start).toBeGreaterThanOrEqual(k * INTERVAL_MS - CLOCK_SLACK_MS));
}

/**
 * Whether a take settles while an injected clock stands still. The bucket
 * polls its clock every few ms at most, so 20 of its intervals is a generous
 * wait; nothing here depends on how fast the machine is, only on the clock.
 */
async function settlesWhileClockStands(pending: Promise<unknown>): Promise<boolean> {
  let settled = false;
  pending.then(
    () => (settled = true),
    () => undefined,
  );
  await new Promise((resolve) => setTimeout(resolve, 20 * INTERVAL_MS));
  return settled;
}

describe("createTokenBucket", () => {
  let dir: ReturnType<typeof makeTempDir>;
  const opened: Store[] = [];
  const open = () => {
    const db = openStore(dir.path);
    opened.push(db);
    return db;
  };
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => {
    for (const db of opened.splice(0)) db.close();
    dir.remove();
  });

  it("grants the first token at once, and the next only when the clock has moved one interval", async () => {
    let now = 1_000_000;
    const bucket = createTokenBucket({ db: open(), name: "first", ratePerSecond: RATE_PER_SECOND, now: () => now });
    await bucket.take(); // the clock stands still: this would never resolve if it had to wait
    const next = bucket.take();
    expect(await settlesWhileClockStands(next)).toBe(false);
    now += INTERVAL_MS;
    await next;
  });

  it("spaces grants evenly", async () => {
    const bucket = createTokenBucket({ db: open(), name: "t", ratePerSecond: RATE_PER_SECOND });
    const start = Date.now();
    const granted: number[] = [];
    await Promise.all(Array.from({ length: 8 }, () => bucket.take().then(() => granted.push(Date.now()))));
    expectPaced(granted, start);
  });

  it("shares one budget between two connections to the same state file", async () => {
    const a = createTokenBucket({ db: open(), name: "shared", ratePerSecond: RATE_PER_SECOND });
    const b = createTokenBucket({ db: open(), name: "shared", ratePerSecond: RATE_PER_SECOND });
    const granted: number[] = [];
    const takeMany = (bucket: typeof a) =>
      Array.from({ length: 6 }, () => bucket.take().then(() => granted.push(Date.now())));
    const start = Date.now();
    await Promise.all([...takeMany(a), ...takeMany(b)]);
    expect(granted).toHaveLength(12);
    expectPaced(granted, start);
  });

  it("keeps separate budgets under separate names", async () => {
    const db = open();
    const now = () => 1_000_000; // the clock stands still: a shared budget would never grant the second
    const a = createTokenBucket({ db, name: "a", ratePerSecond: 1, now });
    const b = createTokenBucket({ db, name: "b", ratePerSecond: 1, now });
    await a.take();
    expect(await settlesWhileClockStands(b.take())).toBe(true);
  });

  it("lets a burst of `capacity` through after an idle spell, then paces", async () => {
    let now = 1_000_000;
    const bucket = createTokenBucket({ db: open(), name: "burst", ratePerSecond: 1, capacity: 3, now: () => now });
    await bucket.take();
    now += 10_000; // idle long enough to refill past capacity
    // The clock stands still from here: only a burst lets all three through.
    expect(await settlesWhileClockStands(Promise.all([bucket.take(), bucket.take(), bucket.take()]))).toBe(true);
    const stop = new AbortController();
    const fourth = bucket.take(stop.signal);
    expect(await settlesWhileClockStands(fourth)).toBe(false);
    stop.abort(new Error("test over"));
    await expect(fourth).rejects.toThrow("test over");
  });

  it("does not mint tokens when the clock steps backwards", async () => {
    let now = 5_000_000;
    const bucket = createTokenBucket({ db: open(), name: "clock", ratePerSecond: 1000 / 60, now: () => now });
    await bucket.take();
    now -= 60_000;
    const pending = bucket.take();
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    now += 60_000 + 60;
    await pending;
  });

  it("stops waiting when its signal aborts", async () => {
    const bucket = createTokenBucket({ db: open(), name: "abort", ratePerSecond: 0.1 });
    await bucket.take();
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    controller.abort(new Error("shutting down"));
    await expect(waiting).rejects.toThrow("shutting down");
  });
});
