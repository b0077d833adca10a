import type { ContactWrite, ContactWriter } from "../contacts/contact-writer.js";
import { ACTIVITY, NEW_LEAD_STATUS } from "../crm-schema/crm-schema.js";
import type { ContactsTarget } from "../notion/worker-targets.js";
import { recordActivity } from "../contacts/record-activity.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { choice, date, relation, richText, title, toNotionPrecision } from "../notion/property-values.js";

// What each click does to its lead in Notion. Contacts are changed only
// through the one contact writer (src/contacts), the Activities row through
// the one activity writer the leads use; nothing here builds Contacts
// properties. Each function resolves undefined when the lead's page is gone.

/** Where clicks write, known once the schema check has passed. */
export type ClickTargets = {
  contacts: ContactsTarget;
  activitiesDataSourceId?: string | undefined;
  /** Contacts has an `Owner` (people) property: Claim is offered. */
  ownerProperty: boolean;
  /** Contacts has a `Snoozed Until` (date) property: Snooze writes it too. */
  snoozedUntilProperty: boolean;
};

/** The Activities `Type` of a lead marked contacted from Slack (a select makes the option on first use). */
export const SLACK_CONTACTED_ACTIVITY = "Contacted (Slack)";

type Written = Promise<ContactWrite | undefined>;

/**
 * Contacted: `Last Contacted` = `at` and, when the lead is a `new lead`,
 * Status = STATUS_CONTACTED. `knownNewLead` (the message listed it as a new
 * lead a moment ago) lets the writer skip reading the page: one Notion call.
 */
export function markContacted(
  writer: ContactWriter,
  {
    pageId,
    at,
    statusContacted,
    knownNewLead,
  }: { pageId: string; at: Date; statusContacted: string; knownNewLead: boolean },
): Written {
  return writer.updateContact(
    { pageId },
    {
      lastContacted: { at: toNotionPrecision(at), when: "always" },
      status: { to: statusContacted, from: [NEW_LEAD_STATUS] },
    },
    { knownStatus: knownNewLead ? NEW_LEAD_STATUS : undefined },
  );
}

/** Not a fit: Status = STATUS_NOT_A_FIT, whatever it was. */
export function markNotAFit(
  writer: ContactWriter,
  { pageId, statusNotAFit }: { pageId: string; statusNotAFit: string },
): Written {
  return writer.updateContact({ pageId }, { status: { to: statusNotAFit } });
}

/** Snooze, in Notion: `Snoozed Until` = the day, when Contacts has it (the state file holds it either way). */
export async function writeSnoozedUntil(
  writer: ContactWriter,
  targets: ClickTargets,
  { pageId, until }: { pageId: string; until: Date },
): Promise<void> {
  if (!targets.snoozedUntilProperty) return;
  await writer.updateContact({ pageId }, { snoozedUntil: until.toISOString().slice(0, 10) });
}

/** Claim: `Owner` = the Notion user who clicked. */
export function claimLead(
  writer: ContactWriter,
  { pageId, notionUserId }: { pageId: string; notionUserId: string },
): Written {
  return writer.updateContact({ pageId }, { owner: [notionUserId] });
}

/**
 * One Activities row: who marked the lead contacted in Slack. Its title
 * carries the click's reference, so a retry after an unknown outcome finds
 * the row instead of adding a second.
 */
export function recordContactedActivity(
  notion: NotionGateway,
  activitiesDataSourceId: string,
  {
    pageId,
    at,
    who,
    ref,
    alreadyStarted,
    onStart,
  }: { pageId: string; at: Date; who: string; ref: string; alreadyStarted: boolean; onStart: () => void },
): Promise<string> {
  const properties = {
    [ACTIVITY.name]: title(`Marked contacted in Slack by ${who} (ref ${ref})`),
    [ACTIVITY.contact]: relation([pageId]),
    [ACTIVITY.type]: choice("select", SLACK_CONTACTED_ACTIVITY),
    [ACTIVITY.date]: date(toNotionPrecision(at)),
    [ACTIVITY.notes]: richText(`${who} marked this lead contacted with the Contacted button in Slack.`),
  };
  return recordActivity(
    notion,
    activitiesDataSourceId,
    { contactPageId: pageId, properties, match: { titleContains: `(ref ${ref})` } },
    { alreadyStarted, onStart },
  );
}
