import type { PageObjectResponse } from "@notionhq/client";
import { FORM_SUBMISSION_ACTIVITY, NEW_LEAD_STATUS } from "../notion/crm-schema.js";
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
import type { ContactField } from "./contact-cache.js";
import { activityNotes } from "./activity-notes.js";
import type { Lead, QueuedLead } from "./lead.js";

export const DEFAULT_SOURCE = "website";
const MESSAGE_SEPARATOR = "\n\n";

const FIELD_PROPERTY: Record<ContactField, string> = {
  name: "Name",
  company: "Company",
  notes: "Notes",
  source: "Source",
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
  if (messages.length > 0) merged.notes = messages.join(MESSAGE_SEPARATOR);
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
    Name: title(lead.name ?? lead.email),
    Email: email(lead.email),
    ...(lead.company !== undefined && { Company: richText(lead.company) }),
    Status: choice(statusType, NEW_LEAD_STATUS),
    Source: choice("select", lead.source ?? DEFAULT_SOURCE),
    "Last Contacted": date(at),
    ...(lead.notes !== undefined && { Notes: richText(lead.notes) }),
  };
}

/**
 * An existing contact: `Last Contacted` moves to `at`, empty fields are
 * filled from the lead, nothing filled is overwritten, Status is untouched.
 */
export function fillEmptyProperties(page: PageObjectResponse, lead: MergedLead, at: Date): PropertiesRequest {
  const empty = (field: ContactField) => isEmptyValue(page.properties[FIELD_PROPERTY[field]]);
  return {
    "Last Contacted": date(at),
    ...(lead.name !== undefined && empty("name") && { Name: title(lead.name) }),
    ...(lead.company !== undefined && empty("company") && { Company: richText(lead.company) }),
    ...(lead.notes !== undefined && empty("notes") && { Notes: richText(lead.notes) }),
    ...(lead.source !== undefined && empty("source") && { Source: choice("select", lead.source) }),
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
    Name: title(activityTitle(lead, submissionId)),
    Contact: relation([contactPageId]),
    Type: choice("select", FORM_SUBMISSION_ACTIVITY),
    Date: date(at),
    ...(notes !== undefined && { Notes: richText(notes) }),
  };
}
