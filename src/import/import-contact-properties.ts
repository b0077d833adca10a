import type { PageObjectResponse } from "@notionhq/client";
import {
  newContactProperties,
  patchProperties,
  type ContactPatch,
  type NewContact,
} from "../contacts/contact-properties.js";
import { CONTACT_STATUSES, NEW_LEAD_STATUS } from "../crm-schema/crm-schema.js";
import { selectOptionName, type ChoiceType, type PropertiesRequest } from "../notion/property-values.js";
import type { ImportContact } from "./read-contact-file.js";

export { contactEmail } from "../contacts/contact-properties.js";

/** `Source` of an imported contact whose row names none (and no --source was given). */
export const IMPORT_SOURCE = "import";

/**
 * A new contact from the file: its fields, `Status` from the file or
 * `new lead`, `Source` from the file or the import's default.
 */
export function importedContact(contact: ImportContact, statusType: ChoiceType, defaultSource: string): NewContact {
  return {
    email: contact.email,
    name: contact.name,
    company: contact.company,
    notes: contact.notes,
    source: selectOptionName(contact.source ?? "") || selectOptionName(defaultSource) || IMPORT_SOURCE,
    status: importedStatus(contact.status, statusType),
    lastContacted: contact.lastContacted,
  };
}

/**
 * An existing contact: only its empty fields are filled (a Name that is only
 * the email, as a lead without a name leaves it, counts as empty), `Status`
 * is never touched, `Last Contacted` moves only forward.
 */
export function importPatch(contact: ImportContact): ContactPatch {
  const source = contact.source === undefined ? "" : selectOptionName(contact.source);
  return {
    fill: { name: contact.name, company: contact.company, notes: contact.notes, source: source || undefined },
    ...(contact.lastContacted !== undefined && { lastContacted: { at: contact.lastContacted, when: "later" } }),
  };
}

export function importedContactProperties(
  contact: ImportContact,
  statusType: ChoiceType,
  defaultSource: string,
): PropertiesRequest {
  return newContactProperties(importedContact(contact, statusType, defaultSource), statusType);
}

/** What the row writes on an existing contact. Empty: the row changes nothing and costs no call. */
export function importFillProperties(page: PageObjectResponse, contact: ImportContact): PropertiesRequest {
  // Status is never in an import's patch, so its type does not matter here.
  return patchProperties(page, importPatch(contact), "select");
}

/**
 * The file's status as an option Notion has: one of the contract's statuses
 * matched without regard to case, else (a select) the file's own word, or
 * (a status property, whose options the API cannot add) `new lead`.
 */
export function importedStatus(raw: string | undefined, statusType: ChoiceType): string {
  if (raw === undefined) return NEW_LEAD_STATUS;
  const known = CONTACT_STATUSES.find((status) => status === raw.trim().toLowerCase());
  if (known !== undefined) return known;
  return statusType === "status" ? NEW_LEAD_STATUS : selectOptionName(raw) || NEW_LEAD_STATUS;
}
