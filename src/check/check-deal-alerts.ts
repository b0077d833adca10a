import type { Config } from "../config/load-config.js";
import type { CheckResult } from "./check-result.js";

const NAME = "Deal alerts";

/** How deal-stage alerts reach the server: Notion's webhook, the poll, both, or not at all. */
export function checkDealAlerts(
  config: Pick<Config, "NOTION_DEALS_DB_ID" | "NOTION_WEBHOOK_SECRET" | "DEALS_POLL_SECONDS">,
): CheckResult {
  if (config.NOTION_DEALS_DB_ID === undefined) {
    return { name: NAME, outcome: "skip", detail: "off: NOTION_DEALS_DB_ID is not set" };
  }
  const seconds = config.DEALS_POLL_SECONDS;
  const poll = `poll every ${seconds} s (DEALS_POLL_SECONDS)`;
  const webhook = config.NOTION_WEBHOOK_SECRET !== undefined;
  if (webhook && seconds > 0) {
    return { name: NAME, outcome: "pass", detail: `by webhook and ${poll}, which catches what a delivery missed` };
  }
  if (seconds > 0) {
    return {
      name: NAME,
      outcome: "pass",
      detail: `by ${poll}; no webhook (optional: set NOTION_WEBHOOK_SECRET for faster alerts)`,
    };
  }
  if (webhook) {
    return {
      name: NAME,
      outcome: "warn",
      detail: "by webhook only: DEALS_POLL_SECONDS is 0, so a lost delivery is a lost alert",
    };
  }
  return {
    name: NAME,
    outcome: "warn",
    detail: "none arrive: DEALS_POLL_SECONDS is 0 and NOTION_WEBHOOK_SECRET is not set",
  };
}
