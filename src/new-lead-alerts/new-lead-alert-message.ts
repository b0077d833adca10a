import type { CreatedContact } from "../leads/created-contact.js";
import { escapeMrkdwn, mrkdwnLink } from "../slack/escape-mrkdwn.js";
import { leadButtons, type LeadAction } from "../slack/lead-buttons.js";
import { mrkdwnBold } from "../slack/mrkdwn-bold.js";
import { context, fitToSlackLimits, section, type SlackBlock, type SlackMessage } from "../slack/slack-message.js";

/** What an alert says of a new contact: the contact a lead created. */
export type NewLead = CreatedContact;

/** The first words of the lead's message, enough to tell a real enquiry from a vague one. */
export const MESSAGE_PREVIEW_WORDS = 30;
/** A grouped alert lists each lead with its buttons up to this many (Slack allows 50 blocks). */
export const GROUPED_LEADS_LISTED = 20;
const OPEN_IN_NOTION = "Open in Notion";

/** One new contact: who, from where, the start of what they wrote, the page, and the buttons when there are any. */
export function newLeadAlertMessage(lead: NewLead, actions: readonly LeadAction[]): SlackMessage {
  const who = `:wave: New lead: ${mrkdwnBold(lead.name ?? lead.email)}`;
  const facts = factsOf(lead);
  const preview = lead.message === undefined ? undefined : previewOf(lead.message);
  const blocks: SlackBlock[] = [
    section([who, facts].join("\n")),
    ...(preview === undefined ? [] : [section(`> ${escapeMrkdwn(preview)}`)]),
    context(mrkdwnLink(lead.url, OPEN_IN_NOTION)),
    ...(actions.length > 0 ? [leadButtons(lead.pageId, actions)] : []),
  ];
  const text = [who, facts, ...(preview === undefined ? [] : [`> ${escapeMrkdwn(preview)}`]), lead.url].join("\n");
  return fitToSlackLimits({ text, blocks });
}

/** A burst of new contacts in one message: a line and the buttons per lead. */
export function groupedNewLeadAlertMessage(leads: readonly NewLead[], actions: readonly LeadAction[]): SlackMessage {
  const headline = `:wave: *${leads.length} new leads*`;
  const listed = leads.slice(0, GROUPED_LEADS_LISTED);
  const line = (lead: NewLead) =>
    `${mrkdwnBold(lead.name ?? lead.email)} · ${factsOf(lead)} · ${mrkdwnLink(lead.url, OPEN_IN_NOTION)}`;
  const blocks: SlackBlock[] = [section(headline)];
  for (const lead of listed) {
    blocks.push(section(line(lead)));
    if (actions.length > 0) blocks.push(leadButtons(lead.pageId, actions));
  }
  if (leads.length > listed.length)
    blocks.push(context(`And ${leads.length - listed.length} more: see Contacts in Notion.`));
  return fitToSlackLimits({ text: [headline, ...leads.map(line)].join("\n"), blocks });
}

function factsOf(lead: NewLead): string {
  return [lead.company, lead.email, lead.source && `source: ${lead.source}`]
    .filter((part): part is string => part !== undefined && part !== "")
    .map(escapeMrkdwn)
    .join(" · ");
}

function previewOf(message: string): string | undefined {
  const words = message.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return undefined;
  const shown = words.slice(0, MESSAGE_PREVIEW_WORDS).join(" ");
  return words.length > MESSAGE_PREVIEW_WORDS ? `${shown} …` : shown;
}
