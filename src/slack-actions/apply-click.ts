import { isFullPage } from "@notionhq/client";
import { ACTIVITY, CONTACT, NEW_LEAD_STATUS } from "../crm-schema/crm-schema.js";
import { TITLE_PROPERTY_ID } from "../notion/filter-properties.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import {
  choice,
  choiceName,
  date,
  dateFrom,
  emailOf,
  relation,
  richText,
  title,
  toNotionPrecision,
  type ChoiceType,
  type PropertiesRequest,
} from "../notion/property-values.js";

// Every Notion write a click makes, one function per effect. When the one
// contact writer (src/contacts) lands, these call it instead of the gateway;
// their callers (the click worker) do not change.

/** Where clicks write, known once the schema check has passed. */
export type ClickTargets = {
  contactsDataSourceId: string;
  statusType: ChoiceType;
  activitiesDataSourceId?: string | undefined;
  /** Contacts has an `Owner` (people) property: Claim is offered. */
  ownerProperty: boolean;
  /** Contacts has a `Snoozed Until` (date) property: Snooze writes it too. */
  snoozedUntilProperty: boolean;
};

/** The optional Contacts property a snooze is also written to. */
export const SNOOZED_UNTIL_PROPERTY = CONTACT.snoozedUntil;
/** The Activities `Type` of a lead marked contacted from Slack (a select makes the option on first use). */
export const SLACK_CONTACTED_ACTIVITY = "Contacted (Slack)";

/** An update sets the same values whether sent once or twice: after an unknown outcome it is simply sent again. */
const sendAgain = async () => undefined;

async function updateContact(notion: NotionGateway, operation: string, pageId: string, properties: PropertiesRequest) {
  const page = await notion.write(
    operation,
    (client) => client.pages.update({ page_id: pageId, properties }),
    sendAgain,
  );
  return isFullPage(page) ? page : undefined;
}

/**
 * Contacted: `Last Contacted` = now and, when the lead is a `new lead`,
 * Status = STATUS_CONTACTED. `knownNewLead` (the message listed it as a new
 * lead a moment ago) saves reading the page first: one Notion call.
 * Returns the contact's email, for the first-touch record.
 */
export async function markContacted(
  notion: NotionGateway,
  targets: ClickTargets,
  {
    pageId,
    at,
    statusContacted,
    knownNewLead,
  }: { pageId: string; at: Date; statusContacted: string; knownNewLead: boolean },
): Promise<{ email: string | undefined }> {
  let isNewLead = knownNewLead;
  if (!knownNewLead) {
    const current = await notion.read("pages.retrieve contact", (client) => client.pages.retrieve({ page_id: pageId }));
    isNewLead = isFullPage(current) && choiceName(current.properties[CONTACT.status]) === NEW_LEAD_STATUS;
  }
  const page = await updateContact(notion, "pages.update contacted", pageId, {
    [CONTACT.lastContacted]: date(toNotionPrecision(at)),
    ...(isNewLead && { [CONTACT.status]: choice(targets.statusType, statusContacted) }),
  });
  return { email: page === undefined ? undefined : emailOf(page.properties[CONTACT.email]) };
}

/** Not a fit: Status = STATUS_NOT_A_FIT. */
export async function markNotAFit(
  notion: NotionGateway,
  targets: ClickTargets,
  { pageId, statusNotAFit }: { pageId: string; statusNotAFit: string },
): Promise<void> {
  await updateContact(notion, "pages.update not a fit", pageId, {
    [CONTACT.status]: choice(targets.statusType, statusNotAFit),
  });
}

/** Snooze, in Notion: `Snoozed Until` when Contacts has it (the state file holds it either way). */
export async function writeSnoozedUntil(
  notion: NotionGateway,
  targets: ClickTargets,
  { pageId, until }: { pageId: string; until: Date },
): Promise<void> {
  if (!targets.snoozedUntilProperty) return;
  await updateContact(notion, "pages.update snoozed until", pageId, {
    [SNOOZED_UNTIL_PROPERTY]: dateFrom(until.toISOString().slice(0, 10)),
  });
}

/** Claim: `Owner` = the Notion user who clicked. */
export async function claimLead(
  notion: NotionGateway,
  { pageId, notionUserId }: { pageId: string; notionUserId: string },
): Promise<void> {
  await updateContact(notion, "pages.update owner", pageId, {
    [CONTACT.owner]: { people: [{ id: notionUserId }] },
  });
}

/**
 * One Activities row: who marked the lead contacted in Slack. Its title
 * carries the click's reference, so a retry after an unknown outcome finds
 * the row instead of adding a second.
 */
export async function recordContactedActivity(
  notion: NotionGateway,
  activitiesDataSourceId: string,
  {
    pageId,
    at,
    who,
    ref,
    alreadyStarted,
  }: { pageId: string; at: Date; who: string; ref: string; alreadyStarted: boolean },
): Promise<string> {
  const name = `Marked contacted in Slack by ${who} (ref ${ref})`;
  const find = async () => {
    const found = await notion.read("query activity by ref", (client) =>
      client.dataSources.query({
        data_source_id: activitiesDataSourceId,
        filter: {
          and: [
            { property: ACTIVITY.name, title: { contains: `(ref ${ref})` } },
            { property: ACTIVITY.contact, relation: { contains: pageId } },
          ],
        },
        page_size: 1,
        filter_properties: [TITLE_PROPERTY_ID],
      }),
    );
    return found.results[0]?.id;
  };
  if (alreadyStarted) {
    const existing = await find();
    if (existing !== undefined) return existing;
  }
  const page = await notion.write<{ id: string }>(
    "pages.create activity",
    (client) =>
      client.pages.create({
        parent: { data_source_id: activitiesDataSourceId },
        properties: {
          [ACTIVITY.name]: title(name),
          [ACTIVITY.contact]: relation([pageId]),
          [ACTIVITY.type]: choice("select", SLACK_CONTACTED_ACTIVITY),
          [ACTIVITY.date]: date(toNotionPrecision(at)),
          [ACTIVITY.notes]: richText(`${who} marked this lead contacted with the Contacted button in Slack.`),
        },
      }),
    async () => {
      const id = await find();
      return id === undefined ? undefined : { id };
    },
  );
  return page.id;
}
