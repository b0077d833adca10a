import type { CreateHold } from "../notion/create-hold.js";
import { HOLD_CAUSES } from "../notion/is-create-refused.js";
import { CONNECTION_BLOCKED_FIX } from "../notion/notion-errors.js";
import { escapeMrkdwn } from "../slack/escape-mrkdwn.js";
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
  /** The Slack outbox: held messages (Slack refuses the token, webhook or channel) and dead ones. */
  slack?: Pick<QueueReader<{ lastError: string | undefined }>, "count" | "parkedCount" | "listParked"> | undefined;
  /** /form posts refused for their origin within the last hour, most first. */
  refusedOrigins?: (() => ReadonlyArray<{ origin: string; refused: number }>) | undefined;
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
  { leads, dealEvents, emails, clicks, slack, refusedOrigins }: AlertQueues,
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
        `:warning: ${HOLD_CAUSES.creates_refused.title} (${HOLD_CAUSES.creates_refused.status}${since}): ${plural(count, "new lead")} held. ` +
        `They are stored, not lost, and arrive by themselves once Notion accepts them; ` +
        `one is tried every ${formatDuration(hold.retryMs)}. Updates of existing contacts go on. ${HOLD_CAUSES.creates_refused.fix} ` +
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

  /** A revoked token (401) or an unshared database (404) after start: every lead is held. */
  function accessLost(): AlertReading {
    const state = hold.state();
    const cause = state?.cause === "unauthorized" || state?.cause === "unshared" ? state.cause : undefined;
    const { title, status, fix } = HOLD_CAUSES[cause ?? "unauthorized"];
    const since = state === undefined ? "" : `, since ${formatDuration(now() - state.sinceMs)} ago`;
    return {
      key: "access-lost",
      active: cause !== undefined,
      message:
        `:no_entry: ${title} (${status}${since}): ${plural(leads.parkedCount(), "lead")} held. ` +
        "They are stored, not lost, and arrive by themselves once Notion lets the integration in again; " +
        `one is tried every ${formatDuration(hold.retryMs)}. ${fix} ` +
        "`npm run jobs` lists the held leads.",
      clearedMessage: ":white_check_mark: Notion lets this integration in again: the held leads are on their way.",
    };
  }

  function deadLetters(): AlertReading {
    const deadLeads = leads.count("dead");
    const deadEvents = dealEvents.count("dead");
    const deadEmails = emails?.count("dead") ?? 0;
    const deadClicks = clicks.count("dead");
    const deadMessages = slack?.count("dead") ?? 0;
    // Emails, clicks and Slack messages are named only when some are dead, so the usual message stays short.
    const counted = [
      plural(deadLeads, "lead"),
      plural(deadEvents, "deal event"),
      ...(deadEmails === 0 ? [] : [plural(deadEmails, "logged email")]),
      ...(deadClicks === 0 ? [] : [plural(deadClicks, "Slack click")]),
      ...(deadMessages === 0 ? [] : [plural(deadMessages, "Slack message")]),
    ];
    const what = `${counted.slice(0, -1).join(", ")} and ${counted.at(-1)}`;
    return {
      key: "dead-letters",
      active: deadLeads + deadEvents + deadEmails + deadClicks + deadMessages > 0,
      message:
        `:x: *${what} dead-lettered*: ` +
        "they were refused, and they are kept in the state file. Run `npm run jobs` to see why; once the cause is fixed, " +
        "`npm run jobs -- retry --all-dead` sends the leads again" +
        (deadClicks === 0 ? "" : " and `npm run jobs -- retry-click <id>` applies a click again") +
        ". `npm run jobs -- discard <id>` drops an item for good.",
      clearedMessage:
        ":white_check_mark: No dead-lettered leads, deal events, Slack clicks, logged emails or Slack messages are left: the dead-letter alert is cleared.",
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

  function slackHeld(): AlertReading | undefined {
    if (slack === undefined) return undefined;
    const count = slack.parkedCount();
    const reason = count === 0 ? undefined : slack.listParked(1)[0]?.lastError;
    return {
      key: "slack-held",
      active: count > 0,
      message:
        `:no_entry: *Slack refuses this server's messages* (${escapeMrkdwn(reason ?? "a permanent error")}): ` +
        `${plural(count, "message")} held, not lost. The Slack token was revoked, the app removed, or the channel ` +
        "archived or left. Fix SLACK_BOT_TOKEN / SLACK_CHANNEL / SLACK_WEBHOOK_URL, then run `npm run check` " +
        "(or `npm run jobs -- retry-slack`): the held messages go out.",
      clearedMessage: ":white_check_mark: Slack accepts messages again: the held messages are going out.",
    };
  }

  function unlistedOrigins(): AlertReading | undefined {
    if (refusedOrigins === undefined) return undefined;
    const refused = refusedOrigins();
    const total = refused.reduce((sum, entry) => sum + entry.refused, 0);
    const named = refused
      .slice(0, 10)
      .map((entry) => `${escapeMrkdwn(entry.origin)} (${entry.refused})`)
      .join(", ");
    return {
      key: "unlisted-origins",
      active: total > 0,
      message:
        `:no_entry_sign: *${plural(total, "form post")} refused in the last hour* from origins missing from ` +
        `FORM_ALLOWED_ORIGINS: ${named}. If one of them is your website (a www / non-www slip, http instead of https), ` +
        "add it to FORM_ALLOWED_ORIGINS and restart: those were real people's leads.",
      clearedMessage: ":white_check_mark: No form post was refused for its origin in the last hour.",
    };
  }

  return {
    read: (): AlertReading[] =>
      [
        createsRefused(),
        connectionBlocked(),
        accessLost(),
        deadLetters(),
        leadBacklog(),
        slackHeld(),
        unlistedOrigins(),
      ].filter((reading): reading is AlertReading => reading !== undefined),
  };
}
