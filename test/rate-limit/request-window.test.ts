import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  bulkBudgetOf,
  createRequestWindow,
  formBudgetOf,
  drainTimeMs,
  REQUEST_WINDOW_MARGIN_MS,
  REQUEST_WINDOW_MS,
  type RequestWindowOptions,
} from "../../src/rate-limit/request-window.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { sleep } from "../../src/util/sleep.js";
import { makeTempDir } from "../support/temp-dir.js";

const WINDOW_MS = REQUEST_WINDOW_MS + REQUEST_WINDOW_MARGIN_MS;

/** The most grants in any span of `spanMs` (a sliding count over the sorted times). */
function mostInAnySpan(times: readonly number[], spanMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= spanMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe("createRequestWindow", () => {
  let dir: ReturnType<typeof makeTempDir>;
  const opened: Store[] = [];
  // A clock that moves only when a taker sleeps: waits are exact, and nothing depends on the machine's speed.
  let now: number;
  let slept: number[];
  const clock = {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    random: () => 0,
  };
  const open = () => {
    const db = openStore(dir.path);
    opened.push(db);
    return db;
  };
  const limiter = (options: Partial<RequestWindowOptions> & { budget: number }) =>
    createRequestWindow({ db: open(), name: "notion", ...clock, ...options });

  beforeEach(() => {
    dir = makeTempDir();
    now = 1_000_000;
    slept = [];
  });
  afterEach(() => {
    for (const db of opened.splice(0)) db.close();
    dir.remove();
  });

  it("lets a burst within the budget go at once: 90 requests (30 leads) at 180 a minute, no wait at all", async () => {
    const window = limiter({ budget: 180 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 90 }, (_, k) => window.take().then(() => order.push(k))));
    expect(slept).toEqual([]);
    // In call order.
    expect(order).toEqual(Array.from({ length: 90 }, (_, k) => k));
    expect(window.inWindow()).toBe(90);
  });

  it("past the budget: never more than the budget in any 60 s, every request granted, in about one window per budget", async () => {
    const window = limiter({ budget: 180 });
    const granted: number[] = [];
    await Promise.all(Array.from({ length: 500 }, () => window.take().then(() => granted.push(now))));
    expect(granted).toHaveLength(500);
    expect(mostInAnySpan(granted, REQUEST_WINDOW_MS)).toBeLessThanOrEqual(180);
    // 180 at once, 180 a window later, the last 140 two windows later: the arithmetic, not a slow trickle.
    expect(Math.max(...granted) - 1_000_000).toBe(drainTimeMs(500, 180));
    expect(drainTimeMs(500, 180)).toBe(2 * WINDOW_MS);
  });

  it("shares one budget between two limiters on one state file, as two processes would", async () => {
    const first = limiter({ budget: 100 });
    const second = limiter({ budget: 100 });
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 150 }, (_, k) => (k % 2 === 0 ? first : second).take().then(() => granted.push(now))),
    );
    expect(granted).toHaveLength(150);
    expect(granted.filter((at) => at === 1_000_000)).toHaveLength(100);
    expect(mostInAnySpan(granted, REQUEST_WINDOW_MS)).toBeLessThanOrEqual(100);
  });

  it("keeps a third of the budget bulk work cannot spend, so 20 new leads go at once during an import", async () => {
    const bulk = limiter({ budget: 180, lane: "bulk" });
    const live = limiter({ budget: 180, lane: "live" });
    expect(bulkBudgetOf(180)).toBe(120);
    expect(bulkBudgetOf(600)).toBe(400);
    const bulkGrants: number[] = [];
    const importing = Promise.all(Array.from({ length: 130 }, () => bulk.take().then(() => bulkGrants.push(now))));
    // Let the bulk taker spend all it may of this window.
    while (bulkGrants.length < 120) await new Promise((resolve) => setImmediate(resolve));
    const liveAt = now;
    // 20 new leads at about 3 calls each.
    await Promise.all(Array.from({ length: 60 }, () => live.take()));
    expect(now).toBe(liveAt);
    await importing;
    expect(bulkGrants.filter((at) => at < 1_000_000 + WINDOW_MS)).toHaveLength(120);
    expect(mostInAnySpan(bulkGrants, REQUEST_WINDOW_MS)).toBeLessThanOrEqual(120);
  });

  it("lets a waiting live request go before a waiting bulk one when the window frees", async () => {
    let clockNow = 5_000_000;
    // Real, short sleeps and a clock the test moves: both takers poll until the test frees the window.
    const manual = {
      now: () => clockNow,
      sleep: () => new Promise<void>((resolve) => setTimeout(resolve, 2)),
    };
    const live = createRequestWindow({ db: open(), name: "n", budget: 4, liveReserve: 0, lane: "live", ...manual });
    const bulk = createRequestWindow({ db: open(), name: "n", budget: 4, liveReserve: 0, lane: "bulk", ...manual });
    await Promise.all(Array.from({ length: 4 }, () => live.take()));
    const order: string[] = [];
    const waitingBulk = bulk.take().then(() => order.push("bulk"));
    const waitingLive = live.take().then(() => order.push("live"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    clockNow += WINDOW_MS;
    await Promise.all([waitingBulk, waitingLive]);
    expect(order).toEqual(["live", "bulk"]);
  });

  it("keeps a sixth of the budget /form posts cannot spend, so 10 signed leads go at once during a /form flood", async () => {
    const form = limiter({ budget: 180, lane: "form" });
    const live = limiter({ budget: 180, lane: "live" });
    expect(formBudgetOf(180)).toBe(150);
    expect(formBudgetOf(600)).toBe(500);
    const formGrants: number[] = [];
    const flood = Promise.all(Array.from({ length: 160 }, () => form.take().then(() => formGrants.push(now))));
    while (formGrants.length < 150) await new Promise((resolve) => setImmediate(resolve));
    const signedAt = now;
    // 10 signed leads at about 3 calls each.
    await Promise.all(Array.from({ length: 30 }, () => live.take()));
    expect(now).toBe(signedAt);
    await flood;
    expect(mostInAnySpan(formGrants, REQUEST_WINDOW_MS)).toBeLessThanOrEqual(150);
  });

  it("serves waiting takers live first, then /form, then bulk, when the window frees", async () => {
    let clockNow = 5_000_000;
    const manual = {
      now: () => clockNow,
      sleep: () => new Promise<void>((resolve) => setTimeout(resolve, 2)),
    };
    const lane = (which: "live" | "form" | "bulk") =>
      createRequestWindow({ db: open(), name: "n", budget: 40, liveReserve: 0, lane: which, ...manual });
    const [live, form, bulk] = [lane("live"), lane("form"), lane("bulk")];
    await Promise.all(Array.from({ length: 40 }, () => live.take()));
    const order: string[] = [];
    const waiting = [
      bulk.take().then(() => order.push("bulk")),
      form.take().then(() => order.push("form")),
      live.take().then(() => order.push("live")),
    ];
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    clockNow += WINDOW_MS;
    await Promise.all(waiting);
    expect(order).toEqual(["live", "form", "bulk"]);
  });

  it("holds every request of every limiter on the file while Notion's pause lasts, however long", async () => {
    const first = limiter({ budget: 180 });
    const second = limiter({ budget: 180, lane: "bulk" });
    // A workspace-wide 429 asking for five minutes.
    first.pauseUntil(now + 300_000, "public_api_space_request_rate_limit");
    // A shorter pause told later does not shorten it.
    second.pauseUntil(now + 10_000, "public_api_request_rate_limit");
    expect(second.pause()).toEqual({ untilMs: 1_300_000, reason: "public_api_space_request_rate_limit" });
    const granted: number[] = [];
    await Promise.all([first.take(), second.take()].map((taken) => taken.then(() => granted.push(now))));
    expect(Math.min(...granted)).toBeGreaterThanOrEqual(1_300_000);
    expect(first.pause()).toBeUndefined();
  });

  it("spreads takers out after a pause by the jitter it is given", async () => {
    const window = limiter({ budget: 180, random: () => 0.5 });
    window.pauseUntil(now + 2_000, "HTTP 529");
    await window.take();
    expect(slept).toEqual([2_000 + 500]);
  });

  it("does not stall longer than a window when the clock steps back", async () => {
    const window = limiter({ budget: 2 });
    await window.take();
    await window.take();
    now -= 3_600_000;
    await window.take();
    expect(slept.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(WINDOW_MS);
  });

  it("counts a request from when its answer came back: a slow trip cannot let the next window's first request reach Notion too early", async () => {
    const window = limiter({ budget: 1 });
    const settle = await window.take();
    // The answer takes 10 s: Notion may have counted the request at any moment of those.
    now += 10_000;
    settle();
    const answeredAt = now;
    await window.take();
    expect(now).toBe(answeredAt + WINDOW_MS);
  });

  it("counts a request answered within the margin from when it left, and writes nothing more for it", async () => {
    const window = limiter({ budget: 1 });
    const sentAt = now;
    const settle = await window.take();
    now += REQUEST_WINDOW_MARGIN_MS;
    const db = opened[0]!;
    const changesBefore = (db.prepare("SELECT total_changes() AS n").get() as { n: number }).n;
    settle();
    expect((db.prepare("SELECT total_changes() AS n").get() as { n: number }).n).toBe(changesBefore);
    await window.take();
    expect(now).toBe(sentAt + WINDOW_MS);
  });

  it("commits its writes without waiting for the disk, and leaves the state file's FULL sync as it was", async () => {
    const window = limiter({ budget: 5 });
    const db = opened[0]!;
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
    const settle = await window.take();
    now += 5_000;
    settle();
    window.pauseUntil(now + 1_000, "HTTP 529");
    expect(window.inWindow()).toBe(1);
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
    // Seen at once by another connection, as another process would.
    const other = open();
    expect(other.prepare("SELECT count(*) AS n FROM rate_window").get()).toEqual({ n: 1 });
    expect(other.prepare("SELECT at_ms FROM rate_window").get()).toEqual({ at_ms: now });
  });

  it("lets a taker waiting in line leave at once when its signal aborts, though the one ahead still waits", async () => {
    let clockNow = 7_000_000;
    const window = createRequestWindow({
      db: open(),
      name: "line",
      budget: 1,
      now: () => clockNow,
      // Real sleeps the test never lets end: only an abort can end a wait.
      sleep: (ms, signal) => sleep(ms * 1_000, signal),
    });
    await window.take();
    const ahead = new AbortController();
    const first = window.take(ahead.signal);
    const controller = new AbortController();
    const second = window.take(controller.signal);
    controller.abort(new Error("Ctrl-C"));
    await expect(second).rejects.toThrow("Ctrl-C");
    // The one ahead still waits for the window; its slot is not taken by the one that left.
    let firstSettled = false;
    void first.then(
      () => (firstSettled = true),
      () => (firstSettled = true),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(firstSettled).toBe(false);
    ahead.abort(new Error("done"));
    await expect(first).rejects.toThrow("done");
    clockNow += WINDOW_MS;
    await window.take();
    expect(window.inWindow()).toBe(1);
  });

  it("stops waiting when its signal aborts", async () => {
    const window = createRequestWindow({ db: open(), name: "a", budget: 1 });
    await window.take();
    const controller = new AbortController();
    const pending = window.take(controller.signal);
    controller.abort(new Error("stopping"));
    await expect(pending).rejects.toThrow("stopping");
  });
});
