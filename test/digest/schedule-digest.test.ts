import { afterEach, expect, it } from "vitest";
import { scheduleDigest, type DigestSchedule } from "../../src/digest/schedule-digest.js";
import { captureLogger } from "../support/capture-logger.js";
import { eventually } from "../support/crm-harness.js";

const EVERY_SECOND = "* * * * * *";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let schedule: DigestSchedule | undefined;
afterEach(async () => {
  await schedule?.stop();
  schedule = undefined;
});

it("fires on the cron schedule, never starts a run while one is still going, and stops cleanly", async () => {
  const log = captureLogger();
  const runs: Array<{ start: number; end?: number }> = [];
  let running = 0;
  let mostAtOnce = 0;
  schedule = scheduleDigest({
    cronExpression: EVERY_SECOND,
    timeZone: "UTC",
    logger: log.logger,
    async run() {
      const entry: { start: number; end?: number } = { start: Date.now() };
      runs.push(entry);
      mostAtOnce = Math.max(mostAtOnce, ++running);
      await sleep(1_200); // longer than the one-second schedule
      running--;
      entry.end = Date.now();
    },
  });
  expect(schedule.nextRunAt()!.getTime() - Date.now()).toBeLessThanOrEqual(1_000);

  await eventually(() => expect(runs.filter((run) => run.end !== undefined).length).toBeGreaterThanOrEqual(2), {
    timeoutMs: 8_000,
  });
  expect(mostAtOnce).toBe(1);
  for (let i = 1; i < runs.length; i++) expect(runs[i]!.start).toBeGreaterThanOrEqual(runs[i - 1]!.end!);
  expect(log.lines()).toContainEqual(
    expect.objectContaining({
      level: 40,
      msg: expect.stringMatching(/^node-cron: task still running, new execution blocked/),
    }),
  );
  expect(log.lines()).toContainEqual(
    expect.objectContaining({ msg: "stale-lead digest scheduled", cron: EVERY_SECOND, timeZone: "UTC" }),
  );

  // Stopping waits for the run in progress, then nothing fires any more.
  await schedule.stop();
  expect(running).toBe(0);
  expect(schedule.nextRunAt()).toBeNull();
  const started = runs.length;
  await sleep(1_100);
  expect(runs).toHaveLength(started);
});

it("logs a failed run and keeps the schedule going", async () => {
  const log = captureLogger();
  let calls = 0;
  schedule = scheduleDigest({
    cronExpression: EVERY_SECOND,
    timeZone: "Europe/Berlin",
    logger: log.logger,
    run: async () => {
      calls++;
      throw new Error("Notion is down");
    },
  });
  await eventually(() => expect(calls).toBeGreaterThanOrEqual(2), { timeoutMs: 5_000 });
  expect(log.lines()).toContainEqual(
    expect.objectContaining({
      level: 50,
      msg: "stale-lead digest failed; the next scheduled run tries again",
      err: expect.objectContaining({ message: "Notion is down" }),
    }),
  );
});
