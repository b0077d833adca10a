import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { problemsOf } from "../support/config-problems.js";

const noFile = { envFile: false } as const;

describe("the weekly report's settings", () => {
  it("default to Mondays at 8, no forecast, and 21 days to stuck", () => {
    const config = loadConfig({}, noFile);
    expect(config.REPORT_CRON).toBe("0 8 * * 1");
    expect(config.STAGE_PROBABILITIES).toBeUndefined();
    expect(config.STUCK_DEAL_DAYS).toBe(21);
  });

  it("read STAGE_PROBABILITIES as stage:percent pairs, stages in any case", () => {
    const config = loadConfig({ STAGE_PROBABILITIES: " New:10, qualified:30 ,Negotiation: 60%" }, noFile);
    expect([...config.STAGE_PROBABILITIES!]).toEqual([
      ["new", 10],
      ["qualified", 30],
      ["negotiation", 60],
    ]);
  });

  it.each([
    ["negotiation", "not a stage:percent pair"],
    ["negotiation:sixty", "not a stage:percent pair"],
    [":60", "not a stage:percent pair"],
    ["won:101", "outside 0 to 100"],
    ["new:10,NEW:20", "twice"],
    [",", "names no stage"],
  ])("refuse STAGE_PROBABILITIES=%s, naming the setting", (value, words) => {
    expect(problemsOf(() => loadConfig({ STAGE_PROBABILITIES: value }, noFile))).toEqual([
      expect.stringMatching(new RegExp(`^STAGE_PROBABILITIES .*${words}`)),
    ]);
  });

  it("refuse a REPORT_CRON that is not a cron expression and a STUCK_DEAL_DAYS of 0", () => {
    expect(problemsOf(() => loadConfig({ REPORT_CRON: "mondays", STUCK_DEAL_DAYS: "0" }, noFile))).toEqual([
      expect.stringMatching(/^REPORT_CRON /),
      expect.stringMatching(/^STUCK_DEAL_DAYS /),
    ]);
  });
});
