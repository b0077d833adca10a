import { expect, it } from "vitest";
import { createSerialRunner } from "../../src/util/run-serially.js";

it("runs one task at a time in the order given, and a failed task does not stop the next", async () => {
  const run = createSerialRunner();
  const events: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const first = run(async () => {
    events.push("first start");
    await gate;
    events.push("first end");
    return 1;
  });
  const second = run(() => {
    events.push("second start");
    throw new Error("boom");
  });
  const third = run(async () => {
    events.push("third start");
    return 3;
  });
  await Promise.resolve();
  expect(events).toEqual(["first start"]);
  release();
  expect(await first).toBe(1);
  await expect(second).rejects.toThrow("boom");
  expect(await third).toBe(3);
  expect(events).toEqual(["first start", "first end", "second start", "third start"]);
});
