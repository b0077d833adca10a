import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  bulkBudgetOf,
  createRequestWindow,
  drainTimeMs,
  REQUEST_WINDOW_MARGIN_MS,
  REQUEST_WINDOW_MS,
  type RequestWindowOptions,
} from "../../src/rate-limit/request-window.js";
import { openStore, type Store } from "../../src/store/open-store.js";
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

  it("keeps a reserve bulk work cannot spend, so a live request goes at once during an import", async () => {
    const bulk = limiter({ budget: 180, lane: "bulk" });
    const live = limiter({ budget: 180, lane: "live" });
    expect(bulkBudgetOf(180)).toBe(162);
    const bulkGrants: number[] = [];
    const importing = Promise.all(Array.from({ length: 170 }, () => bulk.take().then(() => bulkGrants.push(now))));
    // Let the bulk taker spend all it may of this window.
    while (bulkGrants.length < 162) await new Promise((resolve) => setImmediate(resolve));
    const liveAt = now;
    await Promise.all(Array.from({ length: 18 }, () => live.take()));
    expect(now).toBe(liveAt);
    await importing;
    expect(bulkGrants.filter((at) => at < 1_000_000 + WINDOW_MS)).toHaveLength(162);
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

  it("stops waiting when its signal aborts", async () => {
    const window = createRequestWindow({ db: open(), name: "a", budget: 1 });
    await window.take();
    const controller = new AbortController();
    const pending = window.take(controller.signal);
    controller.abort(new Error("stopping"));
    await expect(pending).rejects.toThrow("stopping");
  });
});
