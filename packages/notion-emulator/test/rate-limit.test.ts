import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { NotionEmulator } from "../src/index.js";
import { seedCrm } from "./crm-fixture.js";
import { rawRequest, sdkFor, startEmulator, title } from "./emulator-test-kit.js";

describe("the rate limit", () => {
  let emulator: NotionEmulator | undefined;
  afterEach(() => emulator?.stop());

  it("answers a burst past the bucket with 429 rate_limited and Retry-After, and applies none of them", async () => {
    emulator = await startEmulator({ rateLimitPerSecond: 3 });
    const { contacts } = seedCrm(emulator);
    const started = emulator;
    const body = JSON.stringify({
      parent: { data_source_id: contacts.dataSourceId },
      properties: { Name: title("x") },
    });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => rawRequest(started, "POST", "/v1/pages", { body })),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    expect(limited).toHaveLength(7);
    for (const answer of limited) {
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(answer.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(answer.json).toMatchObject({
        object: "error",
        status: 429,
        code: "rate_limited",
        additional_data: { rate_limit_reason: "connection_rate_limit" },
      });
    }
    expect(emulator.admin.listPages(contacts.dataSourceId)).toHaveLength(3);
    expect(emulator.stats.rateLimited).toBe(7);
    expect(emulator.stats.count({ status: 429 })).toBe(7);
    expect(emulator.stats.requests).toHaveLength(10);
  });

  it("never limits a client that spaces its requests at the rate", async () => {
    emulator = await startEmulator({ rateLimitPerSecond: 10, burst: 2 });
    const notion = sdkFor(emulator);
    for (let i = 0; i < 12; i++) {
      await notion.users.me({});
      await sleep(100);
    }
    expect(emulator.stats.rateLimited).toBe(0);
    expect(emulator.stats.count({ status: 200 })).toBe(12);
  });

  it("is off with a rate of 0 or Infinity", async () => {
    for (const rateLimitPerSecond of [0, Infinity]) {
      emulator = await startEmulator({ rateLimitPerSecond });
      const notion = sdkFor(emulator);
      await Promise.all(Array.from({ length: 30 }, () => notion.users.me({})));
      expect(emulator.stats.rateLimited).toBe(0);
      await emulator.stop();
    }
  });
});
