import { describe, expect, it } from "vitest";
import { checkDealAlerts } from "../../src/check/check-deal-alerts.js";

const DEALS = "0123456789abcdef0123456789abcdef";

describe("checkDealAlerts", () => {
  it.each([
    [
      "webhook and poll",
      { NOTION_WEBHOOK_SECRET: "s", DEALS_POLL_SECONDS: 300 },
      "pass",
      /^by webhook and poll every 300 s/,
    ],
    ["poll alone", { DEALS_POLL_SECONDS: 60 }, "pass", /^by poll every 60 s .*no webhook \(optional/],
    ["webhook alone", { NOTION_WEBHOOK_SECRET: "s", DEALS_POLL_SECONDS: 0 }, "warn", /^by webhook only/],
    ["neither", { DEALS_POLL_SECONDS: 0 }, "warn", /^none arrive/],
  ] as const)("says deal alerts come by %s", (_case, settings, outcome, detail) => {
    const result = checkDealAlerts({
      NOTION_DEALS_DB_ID: DEALS,
      NOTION_WEBHOOK_SECRET: undefined,
      ...settings,
    });
    expect(result.name).toBe("Deal alerts");
    expect(result.outcome).toBe(outcome);
    expect(result.detail).toMatch(detail);
  });

  it("is skipped without a Deals database", () => {
    const result = checkDealAlerts({
      NOTION_DEALS_DB_ID: undefined,
      NOTION_WEBHOOK_SECRET: "s",
      DEALS_POLL_SECONDS: 300,
    });
    expect(result).toMatchObject({ outcome: "skip", detail: "off: NOTION_DEALS_DB_ID is not set" });
  });
});
