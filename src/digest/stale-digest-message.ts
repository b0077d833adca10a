import { NEW_LEAD_STATUS } from "../crm-schema/crm-schema.js";
import { escapeMrkdwn, mrkdwnLink } from "../slack/escape-mrkdwn.js";
import { leadButtons, type LeadAction } from "../slack/lead-buttons.js";
import { context, fitToSlackLimits, section, type SlackBlock, type SlackMessage } from "../slack/slack-message.js";
import { calendarDay, dayOfNotionDate, daysBetween } from "./calendar-day.js";
import type { StaleLeads } from "./find-stale-leads.js";
import type { StaleLead } from "./stale-lead.js";

/** A name longer than this is shortened: the digest is a list to scan, not a record. */
export const LISTED_NAME_MAX_CHARS = 80;

export type StaleDigestOptions = {
  nowMs: number;
  /** Days since last touched are counted in calendar days of this zone (DIGEST_TZ). */
  timeZone: string;
  staleAfterDays: number;
  /** A direct message to one owner about their own leads: the headline says "of yours". */
  yours?: boolean;
  /** Slack app mode with a signing secret: each listed lead carries these buttons (Contacted, Snooze, Not a fit). */
  buttons?: readonly LeadAction[];
};

/**
 * The digest: how many leads are stale, then the stalest, each with a link
 * to its Notion page. Names and emails came from form posts, so they are
 * escaped: a contact named `<!channel>` must not ping anyone.
 */
export function staleDigestMessage(
  found: StaleLeads,
  { nowMs, timeZone, staleAfterDays, yours = false, buttons = [] }: StaleDigestOptions,
): SlackMessage {
  const today = calendarDay(nowMs, timeZone);
  const count = `${found.complete ? "" : "at least "}${found.count.toLocaleString("en-US")}`;
  const headline = `:hourglass: *${count} stale ${found.count === 1 ? "lead" : "leads"}${yours ? " of yours" : ""}*: status "${NEW_LEAD_STATUS}", not contacted for ${staleAfterDays} days or never.`;
  const lines = found.stalest.map((lead, i) => `${i + 1}. ${leadLine(lead, today, timeZone)}`);
  const footer =
    found.count > found.stalest.length
      ? `The ${found.stalest.length} stalest of ${count}, oldest first.`
      : "Oldest first.";
  return fitToSlackLimits({
    text: [headline, ...lines, footer].join("\n"),
    blocks: [
      section(headline),
      ...lines.flatMap((line, i): SlackBlock[] =>
        buttons.length === 0 ? [section(line)] : [section(line), leadButtons(found.stalest[i]!.id, buttons)],
      ),
      context(footer),
    ],
  });
}

function leadLine(lead: StaleLead, today: string, timeZone: string): string {
  const label = shorten(lead.name || lead.email || "(no name)");
  const email = lead.email === undefined ? "no email" : escapeMrkdwn(lead.email);
  return `${mrkdwnLink(lead.url, label)} · ${email} · ${lastTouched(lead.lastContacted, today, timeZone)}`;
}

function lastTouched(lastContacted: string | undefined, today: string, timeZone: string): string {
  if (lastContacted === undefined) return "never contacted";
  const day = dayOfNotionDate(lastContacted, timeZone);
  const days = daysBetween(day, today);
  return `last touched ${days} ${days === 1 ? "day" : "days"} ago (${day})`;
}

function shorten(text: string): string {
  const characters = Array.from(text.replace(/\s+/g, " "));
  return characters.length <= LISTED_NAME_MAX_CHARS
    ? characters.join("")
    : `${characters.slice(0, LISTED_NAME_MAX_CHARS - 1).join("")}…`;
}
