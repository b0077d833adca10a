import type { CreateHold } from "../notion/create-hold.js";
import { CREATES_REFUSED_CAUSES } from "../notion/is-create-refused.js";
import { CONNECTION_BLOCKED_FIX } from "../notion/notion-errors.js";
import type { QueueReader } from "../queue/durable-queue.js";
import type { AlertReading } from "./alert-reading.js";
import { formatDuration } from "../util/format-duration.js";
import { plural } from "../util/plural.js";

/** The queues the conditions read, through the durable queue's API (a held lead is a parked one). */
export type AlertQueues = {
  leads: Pick<QueueReader<unknown>, "count" | "parkedCount" | "waiting">;
  dealEvents: Pick<QueueReader<unknown>, "count">;
  /** Logged emails (src/inbound-email), when that area is on. */
  emails?: Pick<QueueReader<unknown>, "count"> | undefined;
  /** Slack button clicks (slack_clicks): one Notion refused is dead-lettered like a lead. */
  clicks: Pick<QueueReader<unknown>, "count">;
};

export type AlertConditionOptions = {
  hold: Pick<CreateHold, "state" | "retryMs">;
  /** A lead still waiting for Notion after this long is a backlog. */
  backlogAfterMs: number;
  now?: () => number;
};

/**
 * Reads every alert condition from the queues: a few indexed counts, cheap
 * enough for a timer. Held leads count as held, not as backlog: they have
 * their own alert.
 */
export function createAlertConditions(
  { leads, dealEvents, emails, clicks }: AlertQueues,
  { hold, backlogAfterMs, now = Date.now }: AlertConditionOptions,
) {
  function createsRefused(): AlertReading {
    const state = hold.state();
    const count = leads.parkedCount();
    const since = state === undefined ? "" : `, since ${formatDuration(now() - state.sinceMs)} ago`;
    return {
      key: "creates-refused",
      active: state?.cause === "creates_refused",
      message:
        `:warning: *Notion refuses to create pages* (HTTP 403 restricted_resource${since}): ` +
        `${plural(count, "new lead")} held. They are stored, not lost, and arrive by themselves once Notion accepts creates; ` +
        `one is tried every ${formatDuration(hold.retryMs)}. Updates of existing contacts go on. ${CREATES_REFUSED_CAUSES} ` +
        "`npm run jobs` lists the held leads.",
      clearedMessage: ":white_check_mark: Notion accepts creates again: the held leads are on their way to Notion.",
    };
  }

  function connectionBlocked(): AlertReading {
    const state = hold.state();
    const count = leads.parkedCount();
    const since = state === undefined ? "" : ` since ${formatDuration(now() - state.sinceMs)} ago`;
    return {
      key: "connection-blocked",
      active: state?.cause === "connection_blocked",
      message:
        `:no_entry: *Notion has blocked this integration*${since}: ${CONNECTION_BLOCKED_FIX} ` +
        `${plural(count, "lead")} held meanwhile: stored, not lost, and sent by themselves once Notion lets requests through; ` +
        `one is tried every ${formatDuration(hold.retryMs)}. \`npm run jobs\` lists them; \`npm run check\` shows the block.`,
      clearedMessage:
        ":white_check_mark: Notion accepts this integration's requests again: the held leads are on their way.",
    };
  }

  function deadLetters(): AlertReading {
    const deadLeads = leads.count("dead");
    const deadEvents = dealEvents.count("dead");
    const deadEmails = emails?.count("dead") ?? 0;
    const deadClicks = clicks.count("dead");
    // Emails and clicks are named only when some are dead, so the usual message stays as it was.
    const extra = [
      ...(deadEmails === 0 ? [] : [plural(deadEmails, "logged email")]),
      ...(deadClicks === 0 ? [] : [plural(deadClicks, "Slack click")]),
    ];
    const what =
      extra.length === 0
        ? `${plural(deadLeads, "lead")} and ${plural(deadEvents, "deal event")}`
        : `${[plural(deadLeads, "lead"), plural(deadEvents, "deal event"), ...extra].slice(0, -1).join(", ")} and ${extra.at(-1)}`;
    return {
      key: "dead-letters",
      active: deadLeads + deadEvents + deadEmails + deadClicks > 0,
      message:
        `:x: *${what} dead-lettered*: Notion refused them, ` +
        "and they are kept in the state file. Run `npm run jobs` to see why; once the cause is fixed, " +
        "`npm run jobs -- retry --all-dead` sends the leads again" +
        (deadClicks === 0 ? "." : " and `npm run jobs -- retry-click <id>` applies a click again."),
      clearedMessage: ":white_check_mark: No dead-lettered leads, deal events or Slack clicks are left.",
    };
  }

  function leadBacklog(): AlertReading {
    const waiting = leads.waiting();
    const ageMs = waiting.oldestAtMs === undefined ? 0 : now() - waiting.oldestAtMs;
    return {
      key: "lead-backlog",
      active: waiting.count > 0 && ageMs > backlogAfterMs,
      message:
        `:hourglass: *Leads are waiting for Notion*: ${plural(waiting.count, "lead")} queued, the oldest for ` +
        `${formatDuration(ageMs)} (the alert is at ${formatDuration(backlogAfterMs)}, LEAD_BACKLOG_ALERT_MINUTES). ` +
        "Notion is down, slow or refusing this server's requests; the server log says which, and `npm run check` " +
        "tests the connection. The leads are kept and retried.",
      clearedMessage: `:white_check_mark: The lead backlog is cleared: no lead has waited longer than ${formatDuration(backlogAfterMs)}.`,
    };
  }

  return { read: (): AlertReading[] => [createsRefused(), connectionBlocked(), deadLetters(), leadBacklog()] };
}
