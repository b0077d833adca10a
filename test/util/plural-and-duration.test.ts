import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/util/format-duration.js";
import { plural } from "../../src/util/plural.js";

describe("plural", () => {
  it("says one for 1 and adds s otherwise, or takes the irregular form", () => {
    expect([plural(0, "lead"), plural(1, "lead"), plural(2, "lead")]).toEqual(["0 leads", "1 lead", "2 leads"]);
    expect(plural(3, "entry", "entries")).toBe("3 entries");
  });
});

describe("formatDuration", () => {
  it("uses the largest unit that fits", () => {
    const minute = 60_000;
    expect([45_000, 12 * minute, 185 * minute, 52 * 60 * minute].map(formatDuration)).toEqual([
      "45 s",
      "12 min",
      "3 h 5 min",
      "2 d 4 h",
    ]);
  });
});
