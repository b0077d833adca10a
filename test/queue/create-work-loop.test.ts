import { setTimeout as delay } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { BatchOutcome } from "../../src/queue/batch-outcome.js";
import { createWorkLoop, type WorkLoop, type WorkLoopOptions } from "../../src/queue/create-work-loop.js";
import { captureLogger } from "../support/capture-logger.js";

/** Generous: only guards against a hang. */
const HANG_GUARD_MS = 5_000;

async function waitUntil(condition: () => boolean): Promise<void> {
  for (const started = Date.now(); !condition(); await delay(5)) {
    if (Date.now() - started > HANG_GUARD_MS) throw new Error("condition not met before the hang guard");
  }
}

type Batch = { key: string };

/** An in-memory queue: key -> when it is due. `record` removes a key unless it is retried or held. */
function fakeQueue(keys: readonly string[] = []) {
  const dueAt = new Map<string, number>(keys.map((key) => [key, Date.now()]));
  const events: string[] = [];
  const recorded: Array<[string, BatchOutcome["kind"]]> = [];
  const calls = { due: 0 };
  const options = {
    due: (limit: number) => {
      calls.due++;
      return [...dueAt]
        .filter(([, at]) => at <= Date.now())
        .map(([key]) => key)
        .slice(0, limit);
    },
    take: (key: string): Batch | undefined => (dueAt.has(key) ? { key } : undefined),
    work: async ({ key }: Batch): Promise<BatchOutcome> => {
      events.push(`work ${key}`);
      return { kind: "done" };
    },
    record: ({ key }: Batch, outcome: BatchOutcome) => {
      events.push(`record ${key} ${outcome.kind}`);
      recorded.push([key, outcome.kind]);
      if (outcome.kind === "retry") dueAt.set(key, Date.now() + outcome.afterMs);
      else if (outcome.kind === "hold") dueAt.set(key, outcome.untilMs);
      else dueAt.delete(key);
    },
    nextDueAtMs: () => (dueAt.size === 0 ? undefined : Math.min(...dueAt.values())),
  } satisfies Partial<WorkLoopOptions<string, Batch>>;
  return { dueAt, events, recorded, calls, options };
}

describe("createWorkLoop", () => {
  let loop: WorkLoop | undefined;
  afterEach(async () => {
    await loop?.stop();
    loop = undefined;
  });

  it("works every due key once, oldest first, one batch at a time, and records each outcome", async () => {
    const queue = fakeQueue(["a", "b", "c"]);
    const log = captureLogger();
    loop = createWorkLoop({ ...queue.options, logger: log.logger });
    loop.start();
    await waitUntil(() => queue.dueAt.size === 0);
    expect(queue.events).toEqual(["work a", "record a done", "work b", "record b done", "work c", "record c done"]);
  });

  it("hands every outcome of the union to record unchanged", async () => {
    const queue = fakeQueue(["done", "retry", "hold", "dead"]);
    const outcomes: Record<string, BatchOutcome> = {
      done: { kind: "done" },
      retry: { kind: "retry", afterMs: 60_000, reason: "busy" },
      hold: { kind: "hold", untilMs: Date.now() + 60_000, reason: "refused create" },
      dead: { kind: "dead", reason: "invalid" },
    };
    const seen: BatchOutcome[] = [];
    loop = createWorkLoop({
      ...queue.options,
      logger: captureLogger().logger,
      concurrency: 4,
      work: async ({ key }) => {
        queue.events.push(`work ${key}`);
        return outcomes[key]!;
      },
      record: (batch, outcome) => {
        seen.push(outcome);
        queue.options.record(batch, outcome);
      },
    });
    loop.start();
    await waitUntil(() => seen.length === 4);
    expect(seen).toEqual(expect.arrayContaining(Object.values(outcomes)));
    // The retried and the held key stay queued for later; nothing is worked twice meanwhile.
    expect([...queue.dueAt.keys()].sort()).toEqual(["hold", "retry"]);
    expect(queue.events.filter((event) => event.startsWith("work"))).toHaveLength(4);
  });

  it("never runs more batches than its concurrency, nor one key twice at once", async () => {
    const queue = fakeQueue(["a", "b", "c", "d", "e", "f"]);
    let active = 0;
    let mostActive = 0;
    const started: string[] = [];
    loop = createWorkLoop({
      ...queue.options,
      logger: captureLogger().logger,
      concurrency: 2,
      work: async ({ key }) => {
        started.push(key);
        mostActive = Math.max(mostActive, ++active);
        await delay(10);
        active--;
        return { kind: "done" };
      },
    });
    loop.start();
    // Nudges while busy must not start a key that is already in flight.
    for (let i = 0; i < 5; i++) loop.notify();
    await waitUntil(() => queue.dueAt.size === 0);
    expect(mostActive).toBe(2);
    expect(started.sort()).toEqual(["a", "b", "c", "d", "e", "f"]);
  });

  it("stays idle without a notify() when nothing is queued and no poll is set, and notify() wakes it", async () => {
    const queue = fakeQueue();
    loop = createWorkLoop({ ...queue.options, logger: captureLogger().logger });
    loop.start();
    await delay(50);
    expect(queue.calls.due).toBe(1);
    queue.dueAt.set("late", Date.now());
    loop.notify();
    await waitUntil(() => queue.dueAt.size === 0);
    expect(queue.events).toEqual(["work late", "record late done"]);
  });

  it("wakes by itself when the next queued item becomes due", async () => {
    const queue = fakeQueue();
    queue.dueAt.set("soon", Date.now() + 40);
    loop = createWorkLoop({ ...queue.options, logger: captureLogger().logger });
    loop.start();
    expect(queue.events).toEqual([]);
    await waitUntil(() => queue.dueAt.size === 0);
    expect(queue.events).toEqual(["work soon", "record soon done"]);
  });

  it("polls for work queued without a notify() (another process) when given a poll interval", async () => {
    const queue = fakeQueue();
    loop = createWorkLoop({ ...queue.options, logger: captureLogger().logger, pollIntervalMs: 10 });
    loop.start();
    queue.dueAt.set("elsewhere", Date.now());
    await waitUntil(() => queue.dueAt.size === 0);
    expect(queue.recorded).toEqual([["elsewhere", "done"]]);
  });

  it("retries a batch once its retry is due", async () => {
    const queue = fakeQueue(["flaky"]);
    let attempts = 0;
    loop = createWorkLoop({
      ...queue.options,
      logger: captureLogger().logger,
      work: async () => (++attempts < 3 ? { kind: "retry", afterMs: 10, reason: "busy" } : { kind: "done" }),
    });
    loop.start();
    await waitUntil(() => queue.dueAt.size === 0);
    expect(queue.recorded).toEqual([
      ["flaky", "retry"],
      ["flaky", "retry"],
      ["flaky", "done"],
    ]);
  });

  it("stop() waits for the batch in flight, records it, and takes no more work", async () => {
    const queue = fakeQueue(["a", "b"]);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    loop = createWorkLoop({
      ...queue.options,
      logger: captureLogger().logger,
      pollIntervalMs: 10,
      work: async ({ key }) => {
        queue.events.push(`work ${key}`);
        await released;
        return { kind: "done" };
      },
    });
    loop.start();
    await waitUntil(() => queue.events.length === 1);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await delay(20);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(queue.events).toEqual(["work a", "record a done"]);
    const dueCalls = queue.calls.due;
    await delay(50);
    expect(queue.calls.due).toBe(dueCalls);
    expect([...queue.dueAt.keys()]).toEqual(["b"]);
  });

  it("does not look at the store while every slot is busy: a finishing batch wakes it", async () => {
    const queue = fakeQueue(["slow", "next"]);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let nextDueCalls = 0;
    loop = createWorkLoop({
      ...queue.options,
      logger: captureLogger().logger,
      pollIntervalMs: 10,
      nextDueAtMs: () => (nextDueCalls++, queue.options.nextDueAtMs()),
      work: async ({ key }) => {
        queue.events.push(`work ${key}`);
        if (key === "slow") await released;
        return { kind: "done" };
      },
    });
    loop.start();
    await waitUntil(() => queue.events.length === 1);
    const callsWhileBusy = [queue.calls.due, nextDueCalls];
    await delay(50);
    const callsAfterWaiting = [queue.calls.due, nextDueCalls];
    release();
    expect(callsAfterWaiting).toEqual(callsWhileBusy);
    await waitUntil(() => queue.dueAt.size === 0);
    expect(queue.events).toEqual(["work slow", "record slow done", "work next", "record next done"]);
  });

  it("survives a store that throws in due, take and record: it logs, backs off and goes on", async () => {
    const queue = fakeQueue(["a", "b"]);
    const log = captureLogger();
    const failures = { due: 2, take: 1, record: 1 };
    const failOnce = (where: keyof typeof failures) => {
      if (failures[where]-- > 0) throw new Error(`SQLITE_BUSY: database is locked (${where})`);
    };
    loop = createWorkLoop({
      ...queue.options,
      logger: log.logger,
      storeFailureBaseMs: 5,
      due: (limit) => (failOnce("due"), queue.options.due(limit)),
      take: (key) => (failOnce("take"), queue.options.take(key)),
      record: (batch, outcome) => (failOnce("record"), queue.options.record(batch, outcome)),
    });
    loop.start();
    await waitUntil(() => queue.dueAt.size === 0);
    const errors = log.lines().filter((line) => line.msg === "queue work failed unexpectedly; pausing the queue");
    expect(errors.map((line) => (line.err as { message: string }).message)).toEqual([
      "SQLITE_BUSY: database is locked (due)",
      "SQLITE_BUSY: database is locked (due)",
      "SQLITE_BUSY: database is locked (take)",
      "SQLITE_BUSY: database is locked (record)",
    ]);
    expect(errors.map((line) => line.failures)).toEqual([1, 2, 3, 4]);
    // The batch whose outcome could not be written stayed queued and was worked again.
    expect(queue.recorded).toEqual([
      ["a", "done"],
      ["b", "done"],
    ]);
    expect(queue.events.filter((event) => event.startsWith("work"))).toHaveLength(3);
  });

  it("survives a work function that throws and goes on to the next key", async () => {
    const queue = fakeQueue(["bug", "fine"]);
    const log = captureLogger();
    loop = createWorkLoop({
      ...queue.options,
      logger: log.logger,
      storeFailureBaseMs: 5,
      work: async ({ key }) => {
        if (key === "bug") {
          queue.dueAt.delete("bug");
          throw new TypeError("bug in the worker");
        }
        return { kind: "done" };
      },
    });
    loop.start();
    await waitUntil(() => queue.recorded.length === 1);
    expect(queue.recorded).toEqual([["fine", "done"]]);
    expect(log.lines()).toContainEqual(
      expect.objectContaining({ level: 50, msg: "queue work failed unexpectedly; pausing the queue" }),
    );
  });

  it("once its signal aborts, leaves a failed batch as it was but still records one that was done", async () => {
    const queue = fakeQueue(["failed", "done"]);
    const shutdown = new AbortController();
    loop = createWorkLoop({
      ...queue.options,
      logger: captureLogger().logger,
      concurrency: 2,
      signal: shutdown.signal,
      work: async ({ key }) => {
        shutdown.abort(new Error("server stopping"));
        return key === "failed" ? { kind: "dead", reason: "The operation was aborted" } : { kind: "done" };
      },
    });
    loop.start();
    await loop.stop();
    expect(queue.recorded).toEqual([["done", "done"]]);
    expect([...queue.dueAt.keys()]).toEqual(["failed"]);
  });
});
