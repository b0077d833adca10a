import { DEFAULT_SOURCE, NEW_LEAD_STATUS } from "../crm-schema/crm-schema.js";
import type { ContactPatch, NewContact } from "./contact-properties.js";

/** What a lead brings to its contact (several leads of one email already merged). */
export type LeadContact = {
  email: string;
  name?: string | undefined;
  company?: string | undefined;
  notes?: string | undefined;
  /** @default DEFAULT_SOURCE */
  source?: string | undefined;
};

/** A lead's new contact: its fields, Name the email when it has none, Status `new lead`, Last Contacted `at`. */
export function newLeadContact(lead: LeadContact, at: Date): NewContact {
  return {
    email: lead.email,
    name: lead.name,
    company: lead.company,
    notes: lead.notes,
    source: lead.source ?? DEFAULT_SOURCE,
    status: NEW_LEAD_STATUS,
    lastContacted: at,
  };
}

/** A lead on an existing contact: Last Contacted becomes `at`, empty fields are filled, Status is untouched. */
export function leadPatch(lead: LeadContact, at: Date): ContactPatch {
  return {
    fill: { name: lead.name, company: lead.company, notes: lead.notes, source: lead.source },
    lastContacted: { at, when: "always" },
  };
}
