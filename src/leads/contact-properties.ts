import type { PageObjectResponse } from "@notionhq/client";
import { CONTACT_FIELDS, type ContactField } from "../contacts/contact-cache.js";
import { newContactProperties as contactProperties, patchProperties } from "../contacts/contact-properties.js";
import { leadPatch, newLeadContact } from "../contacts/lead-contact.js";
import { ACTIVITY, DEFAULT_SOURCE, FORM_SUBMISSION_ACTIVITY } from "../crm-schema/crm-schema.js";
import {
  choice,
  date,
  relation,
  richText,
  selectOptionName,
  title,
  type ChoiceType,
  type PropertiesRequest,
} from "../notion/property-values.js";
import { fitRichText } from "../notion/fit-rich-text.js";
import { activityNotes } from "./activity-notes.js";
import type { Lead, QueuedLead } from "./lead.js";

const MESSAGE_SEPARATOR = "\n\n";
/** Ends a contact's Notes that had to be cut to Notion's limits. */
export const NOTES_CUT_MARKER =
  "[Cut here to fit Notion's limits. Every message is whole on its Activities row and in the server's state file (npm run jobs).]";
/** Ends an Activities row's Notes that had to be cut. */
export const ACTIVITY_NOTES_CUT_MARKER =
  "[Cut here to fit Notion's limits. The whole message is kept in the server's state file (npm run jobs).]";

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
  return CONTACT_FIELDS.filter((field) => lead[field] !== undefined);
}

/** A new Contacts page for a lead: the contract's fields, Status `new lead` (built by the contact writer's rules). */
export function newContactProperties(lead: MergedLead, statusType: ChoiceType, at: Date): PropertiesRequest {
  return contactProperties(newLeadContact(lead, at), statusType);
}

/**
 * A lead on an existing contact: `Last Contacted` moves to `at`, empty fields
 * (a Name that is only the email included) are filled from the lead,
 * nothing filled is overwritten, Status is untouched.
 */
export function fillEmptyProperties(page: PageObjectResponse, lead: MergedLead, at: Date): PropertiesRequest {
  return patchProperties(page, leadPatch(lead, at), "select");
}

/** Which of the fields a lead can fill hold a value on a page (a Name that is only the email does not). */
export { filledFields } from "../contacts/contact-properties.js";

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
