import type { PageObjectResponse } from "@notionhq/client";
import {
  ACTIVITY,
  CONTACT,
  DEFAULT_SOURCE,
  FORM_SUBMISSION_ACTIVITY,
  NEW_LEAD_STATUS,
} from "../crm-schema/crm-schema.js";
import {
  choice,
  date,
  email,
  isEmptyValue,
  relation,
  richText,
  selectOptionName,
  title,
  type ChoiceType,
  type PropertiesRequest,
} from "../notion/property-values.js";
import { fitRichText } from "../notion/fit-rich-text.js";
import type { ContactField } from "./contact-cache.js";
import { activityNotes } from "./activity-notes.js";
import type { Lead, QueuedLead } from "./lead.js";

const MESSAGE_SEPARATOR = "\n\n";
/** Ends a contact's Notes that had to be cut to Notion's limits. */
export const NOTES_CUT_MARKER =
  "[Cut here to fit Notion's limits. Every message is whole on its Activities row and in the server's state file (npm run jobs).]";
/** Ends an Activities row's Notes that had to be cut. */
export const ACTIVITY_NOTES_CUT_MARKER =
  "[Cut here to fit Notion's limits. The whole message is kept in the server's state file (npm run jobs).]";

const FIELD_PROPERTY: Record<ContactField, string> = {
  name: CONTACT.name,
  company: CONTACT.company,
  notes: CONTACT.notes,
  source: CONTACT.source,
};

/** Every Contacts property by role, for code outside this module that builds or reads contact pages. */
export const CONTACT_PROPERTY = {
  ...FIELD_PROPERTY,
  email: "Email",
  status: "Status",
  lastContacted: "Last Contacted",
} as const satisfies Record<ContactField | "email" | "status" | "lastContacted", string>;

/** Several leads of one email sent to Notion together: the first value of each field wins. */
export type MergedLead = { email: string; name?: string; company?: string; notes?: string; source?: string };

export function mergeLeads(leads: readonly Lead[]): MergedLead {
  const first = <K extends keyof Lead>(key: K) => leads.find((lead) => lead[key] !== undefined)?.[key];
  const messages = [
    ...new Set(leads.map((lead) => lead.message).filter((message): message is string => message !== undefined)),
  ];
  const source = first("utm_source");
  const merged: MergedLead = { email: leads[0]!.email };
  const name = first("name");
  const company = first("company");
  if (name !== undefined) merged.name = name;
  if (company !== undefined) merged.company = company;
  // A batch of long messages for one email can pass what one property holds: the Notes get what fits.
  if (messages.length > 0) merged.notes = fitRichText(messages.join(MESSAGE_SEPARATOR), NOTES_CUT_MARKER);
  merged.source = (source === undefined ? "" : selectOptionName(source)) || DEFAULT_SOURCE;
  return merged;
}

/** The fields a lead would fill on a contact (Source always has a value: the default). */
export function offeredFields(lead: MergedLead): ContactField[] {
  return (Object.keys(FIELD_PROPERTY) as ContactField[]).filter((field) =>
    field === "name" ? lead.name !== undefined : lead[field] !== undefined,
  );
}

/** A new Contacts page: the contract's fields, Status `new lead`. */
export function newContactProperties(lead: MergedLead, statusType: ChoiceType, at: Date): PropertiesRequest {
  return {
    [CONTACT.name]: title(lead.name ?? lead.email),
    [CONTACT.email]: email(lead.email),
    ...(lead.company !== undefined && { [CONTACT.company]: richText(lead.company) }),
    [CONTACT.status]: choice(statusType, NEW_LEAD_STATUS),
    [CONTACT.source]: choice("select", lead.source ?? DEFAULT_SOURCE),
    [CONTACT.lastContacted]: date(at),
    ...(lead.notes !== undefined && { [CONTACT.notes]: richText(lead.notes) }),
  };
}

/**
 * An existing contact: `Last Contacted` moves to `at`, empty fields are
 * filled from the lead, nothing filled is overwritten, Status is untouched.
 */
export function fillEmptyProperties(page: PageObjectResponse, lead: MergedLead, at: Date): PropertiesRequest {
  const empty = (field: ContactField) => isEmptyValue(page.properties[FIELD_PROPERTY[field]]);
  return {
    [CONTACT.lastContacted]: date(at),
    ...(lead.name !== undefined && empty("name") && { [CONTACT.name]: title(lead.name) }),
    ...(lead.company !== undefined && empty("company") && { [CONTACT.company]: richText(lead.company) }),
    ...(lead.notes !== undefined && empty("notes") && { [CONTACT.notes]: richText(lead.notes) }),
    ...(lead.source !== undefined && empty("source") && { [CONTACT.source]: choice("select", lead.source) }),
  };
}

/** Which of the fields a lead can fill hold a value on this page. */
export function filledFields(page: PageObjectResponse): ContactField[] {
  return (Object.keys(FIELD_PROPERTY) as ContactField[]).filter(
    (field) => !isEmptyValue(page.properties[FIELD_PROPERTY[field]]),
  );
}

/** The activity row's title carries the submission's reference, so a retry can find a row it already wrote. */
export function activityTitle(lead: Lead, submissionId: string): string {
  return `${FORM_SUBMISSION_ACTIVITY} from ${lead.name ?? lead.email} (ref ${activityRef(submissionId)})`;
}

export function activityRef(submissionId: string): string {
  return submissionId.replaceAll("-", "").slice(0, 12);
}

export function activityProperties(
  lead: QueuedLead,
  submissionId: string,
  contactPageId: string,
  at: Date,
): PropertiesRequest {
  const notes = activityNotes(lead);
  return {
    [ACTIVITY.name]: title(activityTitle(lead, submissionId)),
    [ACTIVITY.contact]: relation([contactPageId]),
    [ACTIVITY.type]: choice("select", FORM_SUBMISSION_ACTIVITY),
    [ACTIVITY.date]: date(at),
    ...(notes !== undefined && { [ACTIVITY.notes]: richText(fitRichText(notes, ACTIVITY_NOTES_CUT_MARKER)) }),
  };
}
