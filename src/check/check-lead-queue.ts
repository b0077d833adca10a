import { formatDuration } from "../util/format-duration.js";
import { createLeadQueue } from "../leads/lead-queue.js";
import { createCreateHold } from "../notion/create-hold.js";
import { CREATES_REFUSED_CAUSES, HOLD_CAUSES } from "../notion/is-create-refused.js";
import { CONNECTION_BLOCKED_FIX } from "../notion/notion-errors.js";
import type { Store } from "../store/open-store.js";
import type { CheckResult } from "./check-result.js";

/**
 * What the state file says about leads on their way to Notion: Notion
 * refusing creates (leads held) and a lead waiting longer than
 * LEAD_BACKLOG_ALERT_MINUTES are problems, as the operator alerts say.
 */
export function checkLeadQueue(
  db: Store,
  { backlogAfterMs, now = Date.now() }: { backlogAfterMs: number; now?: number },
): CheckResult[] {
  const queue = createLeadQueue(db);
  const hold = createCreateHold(db).state();
  const held = queue.heldCount();
  const holdResult: CheckResult =
    hold === undefined
      ? { name: "Notion creates", outcome: "pass", detail: "Notion accepted the last create; no lead is held" }
      : hold.cause === "connection_blocked"
        ? {
            name: "Notion creates",
            outcome: "fail",
            detail:
              `Notion blocked this connection ${formatDuration(now - hold.sinceMs)} ago: ${held} lead${held === 1 ? "" : "s"} held ` +
              `(kept, they arrive once Notion lets requests through; see \`npm run jobs\`). ${CONNECTION_BLOCKED_FIX}`,
          }
        : hold.cause === "unauthorized" || hold.cause === "unshared"
          ? {
              name: "Notion creates",
              outcome: "fail",
              detail:
                `${HOLD_CAUSES[hold.cause].title.replaceAll("*", "")} (${HOLD_CAUSES[hold.cause].status}) since ${formatDuration(now - hold.sinceMs)} ago: ` +
                `${held} lead${held === 1 ? "" : "s"} held (kept, they arrive once Notion lets the integration in again; see \`npm run jobs\`). ` +
                HOLD_CAUSES[hold.cause].fix,
            }
          : {
              name: "Notion creates",
              outcome: "fail",
              detail:
                `Notion refuses to create pages (403 restricted_resource) since ${formatDuration(now - hold.sinceMs)} ago: ` +
                `${held} new lead${held === 1 ? "" : "s"} held (kept, they arrive once Notion accepts creates; see \`npm run jobs\`). ` +
                CREATES_REFUSED_CAUSES.replaceAll("*", ""),
            };
  const oldest = queue.oldestWaitingAtMs();
  const ageMs = oldest === undefined ? 0 : now - oldest;
  const backlogResult: CheckResult =
    oldest !== undefined && ageMs > backlogAfterMs
      ? {
          name: "Lead backlog",
          outcome: "fail",
          detail: `the oldest lead waiting for Notion has waited ${formatDuration(ageMs)} (more than LEAD_BACKLOG_ALERT_MINUTES, ${formatDuration(backlogAfterMs)}): Notion is down or refusing the server's requests; see the server log and \`npm run jobs\``,
        }
      : {
          name: "Lead backlog",
          outcome: "pass",
          detail:
            oldest === undefined
              ? "no lead is waiting for Notion"
              : `the oldest lead waiting for Notion has waited ${formatDuration(ageMs)}`,
        };
  return [holdResult, backlogResult];
}
