import { describe, expect, it } from "vitest";
import { parseIsoDate } from "../src/date-value.js";
import { parseNotionId } from "../src/emulator-ids.js";
import { createRequestRateLimit } from "../src/request-rate-limit.js";

describe("the per-connection window", () => {
  it("lets the whole budget through at once, then asks to wait until the oldest request leaves the window", () => {
    let now = 0;
    const window = createRequestRateLimit({ requestsPerWindow: 3, windowMs: 60_000, now: () => now });
    expect([window.take(), window.take(), window.take()]).toEqual([0, 0, 0]);
    expect(window.take()).toBe(60_000);
    now = 59_999;
    expect(window.take()).toBe(1);
    now = 60_000;
    expect(window.take()).toBe(0);
  });

  it("counts any 60 s span, not fixed windows: a budget spent across a boundary still refuses", () => {
    let now = 0;
    const window = createRequestRateLimit({ requestsPerWindow: 2, windowMs: 60_000, now: () => now });
    now = 50_000;
    expect(window.take()).toBe(0);
    now = 65_000;
    expect(window.take()).toBe(0);
    now = 70_000;
    expect(window.take()).toBe(40_000);
    now = 110_000;
    expect(window.take()).toBe(0);
  });

  it("never limits at a budget of Infinity or 0", () => {
    for (const requestsPerWindow of [Infinity, 0]) {
      const window = createRequestRateLimit({ requestsPerWindow });
      expect(Array.from({ length: 100 }, () => window.take()).every((wait) => wait === 0)).toBe(true);
    }
  });
});

describe("ids and dates", () => {
  it("reads a Notion id with or without dashes, in any case, and nothing else", () => {
    const dashed = "0f4d2c3a-9b8e-4f6a-8c7d-6e5f4a3b2c1d";
    expect(parseNotionId("0F4D2C3A9B8E4F6A8C7D6E5F4A3B2C1D")).toBe(dashed);
    expect(parseNotionId(dashed)).toBe(dashed);
    expect(parseNotionId("0f4d2c3a9b8e4f6a8c7d6e5f4a3b2c1")).toBeUndefined();
    expect(parseNotionId("https://www.notion.so/x-0f4d2c3a9b8e4f6a8c7d6e5f4a3b2c1d")).toBeUndefined();
  });

  it("accepts ISO 8601 dates and date-times and answers them in Notion's form", () => {
    expect(parseIsoDate("2024-02-29")).toEqual({ text: "2024-02-29", instantMs: Date.UTC(2024, 1, 29) });
    expect(parseIsoDate("2024-01-02T03:04:05.678Z")?.text).toBe("2024-01-02T03:04:05.678+00:00");
    expect(parseIsoDate("2024-01-02T03:04+02:00")).toEqual({
      text: "2024-01-02T03:04:00.000+02:00",
      instantMs: Date.UTC(2024, 0, 2, 1, 4),
    });
    for (const bad of ["2023-02-29", "2024-13-01", "yesterday", "2024/01/02", "2024-01-02T25:00:00Z", ""]) {
      expect(parseIsoDate(bad)).toBeUndefined();
    }
  });
});
