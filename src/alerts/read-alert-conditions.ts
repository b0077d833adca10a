import type { CreateHold } from "../notion/create-hold.js";
import { CREATES_REFUSED_CAUSES } from "../notion/is-create-refused.js";
import type { Store } from "../store/open-store.js";
import type { AlertReading } from "./alert-reading.js";
import { formatDuration } from "../util/format-duration.js";
import { plural } from "../util/plural.js";

export type AlertConditionOptions = {
  hold: Pick<CreateHold, "state" | "retryMs">;
  /** A lead still waiting for Notion after this long is a backlog. */
  backlogAfterMs: number;
  now?: () => number;
};

/**
 * Reads every alert condition from the state file: a few indexed counts,
 * cheap enough for a timer. Held leads count as held, not as backlog: they
 * have their own alert.
 */
export function createAlertConditions(db: Store, { hold, backlogAfterMs, now = Date.now }: AlertConditionOptions) {
  const held = db.prepare<[], { n: number }>(
    "SELECT count(*) AS n FROM lead_submissions WHERE state = 'queued' AND held_since_ms IS NOT NULL",
  );
  const deadLeads = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM lead_submissions WHERE state = 'dead'");
  const deadEvents = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM notion_events WHERE state = 'dead'");
  const waiting = db.prepare<[], { n: number; oldest: number | null }>(
    "SELECT count(*) AS n, min(received_at_ms) AS oldest FROM lead_submissions WHERE state = 'queued' AND held_since_ms IS NULL",
  );

  function createsRefused(): AlertReading {
    const state = hold.state();
    const count = held.get()?.n ?? 0;
    const since = state === undefined ? "" : `, since ${formatDuration(now() - state.sinceMs)} ago`;
    return {
      key: "creates-refused",
      active: state !== undefined,
      message:
        `:warning: *Notion refuses to create pages* (HTTP 403 restricted_resource${since}): ` +
        `${plural(count, "new lead")} held. They are stored, not lost, and arrive by themselves once Notion accepts creates; ` +
        `one is tried every ${formatDuration(hold.retryMs)}. Updates of existing contacts go on. ${CREATES_REFUSED_CAUSES} ` +
        "`npm run jobs` lists the held leads.",
      clearedMessage: ":white_check_mark: Notion accepts creates again: the held leads are on their way to Notion.",
    };
  }

  function deadLetters(): AlertReading {
    const leads = deadLeads.get()?.n ?? 0;
    const events = deadEvents.get()?.n ?? 0;
    return {
      key: "dead-letters",
      active: leads + events > 0,
      message:
        `:x: *${plural(leads, "lead")} and ${plural(events, "deal event")} dead-lettered*: Notion refused them, ` +
        "and they are kept in the state file. Run `npm run jobs` to see why; once the cause is fixed, " +
        "`npm run jobs -- retry --all-dead` sends the leads again.",
      clearedMessage: ":white_check_mark: No dead-lettered leads or deal events are left.",
    };
  }

  function leadBacklog(): AlertReading {
    const row = waiting.get();
    const ageMs = row?.oldest === null || row?.oldest === undefined ? 0 : now() - row.oldest;
    return {
      key: "lead-backlog",
      active: row !== undefined && row.n > 0 && ageMs > backlogAfterMs,
      message:
        `:hourglass: *Leads are waiting for Notion*: ${plural(row?.n ?? 0, "lead")} queued, the oldest for ` +
        `${formatDuration(ageMs)} (the alert is at ${formatDuration(backlogAfterMs)}, LEAD_BACKLOG_ALERT_MINUTES). ` +
        "Notion is down, slow or refusing this server's requests; the server log says which, and `npm run check` " +
        "tests the connection. The leads are kept and retried.",
      clearedMessage: `:white_check_mark: The lead backlog is cleared: no lead has waited longer than ${formatDuration(backlogAfterMs)}.`,
    };
  }

  return { read: (): AlertReading[] => [createsRefused(), deadLetters(), leadBacklog()] };
}
