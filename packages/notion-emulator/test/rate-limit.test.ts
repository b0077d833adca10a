import { afterEach, describe, expect, it } from "vitest";
import { createNotionEmulator, type NotionEmulator } from "../src/index.js";
import { seedCrm } from "./crm-fixture.js";
import { rawRequest, sdkFor, startEmulator, title } from "./emulator-test-kit.js";

describe("the per-connection rate limit", () => {
  let emulator: NotionEmulator | undefined;
  afterEach(() => emulator?.stop());

  it("takes a burst up to the budget at once and answers the rest 429 with the reason and the wait, applying none of them", async () => {
    // A clock that stands still: the count cannot depend on how fast the machine sends.
    const now = 1_000_000;
    emulator = await startEmulator({ requestsPerMinute: 3, now: () => now });
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
      // The whole window is left to wait: nothing has left it yet.
      expect(answer.headers.get("retry-after")).toBe("60");
      expect(answer.json).toMatchObject({
        object: "error",
        status: 429,
        code: "rate_limited",
        additional_data: { rate_limit_reason: "public_api_request_rate_limit", retry_after: 60 },
      });
    }
    expect(emulator.admin.listPages(contacts.dataSourceId)).toHaveLength(3);
    expect(emulator.stats.rateLimited).toBe(7);
    expect(emulator.stats.count({ status: 429 })).toBe(7);
    expect(emulator.stats.requests).toHaveLength(10);
  });

  it("lets requests through again once the oldest has left the window", async () => {
    let now = 0;
    emulator = await startEmulator({ requestsPerMinute: 2, now: () => now });
    const notion = sdkFor(emulator);
    await notion.users.me({});
    now = 30_000;
    await notion.users.me({});
    now = 59_999;
    const refused = await rawRequest(emulator, "GET", "/v1/users/me");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    now = 60_000;
    await notion.users.me({});
    expect(emulator.stats.count({ status: 200 })).toBe(3);
    expect(emulator.stats.rateLimited).toBe(1);
  });

  it("counts in a shorter window when given one (benches scale budget and window down together)", async () => {
    let now = 0;
    emulator = await startEmulator({ requestsPerMinute: 1, rateLimitWindowMs: 1_000, now: () => now });
    const notion = sdkFor(emulator);
    await notion.users.me({});
    expect((await rawRequest(emulator, "GET", "/v1/users/me")).status).toBe(429);
    now = 1_000;
    await notion.users.me({});
    expect(emulator.stats.rateLimited).toBe(1);
  });

  it("defaults to Notion's 180 a minute", async () => {
    emulator = createNotionEmulator({ now: () => 0 });
    await emulator.start();
    const notion = sdkFor(emulator);
    await Promise.all(Array.from({ length: 180 }, () => notion.users.me({})));
    expect(emulator.stats.rateLimited).toBe(0);
    expect((await rawRequest(emulator, "GET", "/v1/users/me")).status).toBe(429);
  });

  it("is off with a budget of 0 or Infinity", async () => {
    for (const requestsPerMinute of [0, Infinity]) {
      emulator = await startEmulator({ requestsPerMinute, now: () => 0 });
      const notion = sdkFor(emulator);
      await Promise.all(Array.from({ length: 30 }, () => notion.users.me({})));
      expect(emulator.stats.rateLimited).toBe(0);
      await emulator.stop();
    }
  });
});
