import type { PageObjectResponse } from "@notionhq/client";
import { CONTACT_PROPERTY } from "../leads/contact-properties.js";
import { CONTACT_STATUSES, NEW_LEAD_STATUS } from "../crm-schema/crm-schema.js";
import {
  choice,
  dateFrom,
  dateStart,
  email,
  emailOf,
  isEmptyValue,
  plainText,
  richText,
  selectOptionName,
  title,
  type ChoiceType,
  type PropertiesRequest,
} from "../notion/property-values.js";
import { isLater, type ImportContact } from "./read-contact-file.js";

/** `Source` of an imported contact whose row names none (and no --source was given). */
export const IMPORT_SOURCE = "import";

/**
 * A new contact from the file: its fields, `Status` from the file or
 * `new lead`, `Source` from the file or the import's default.
 */
export function importedContactProperties(
  contact: ImportContact,
  statusType: ChoiceType,
  defaultSource: string,
): PropertiesRequest {
  const source = selectOptionName(contact.source ?? "") || selectOptionName(defaultSource) || IMPORT_SOURCE;
  return {
    [CONTACT_PROPERTY.name]: title(contact.name ?? contact.email),
    [CONTACT_PROPERTY.email]: email(contact.email),
    ...(contact.company !== undefined && { [CONTACT_PROPERTY.company]: richText(contact.company) }),
    [CONTACT_PROPERTY.status]: choice(statusType, importedStatus(contact.status, statusType)),
    [CONTACT_PROPERTY.source]: choice("select", source),
    ...(contact.lastContacted !== undefined && { [CONTACT_PROPERTY.lastContacted]: dateFrom(contact.lastContacted) }),
    ...(contact.notes !== undefined && { [CONTACT_PROPERTY.notes]: richText(contact.notes) }),
  };
}

/**
 * An existing contact: only its empty fields are filled (a Name that is only
 * the email, as a lead without a name leaves it, counts as empty), `Status`
 * is never touched, `Last Contacted` moves only forward. Empty result: the
 * row changes nothing and costs no call.
 */
export function importFillProperties(page: PageObjectResponse, contact: ImportContact): PropertiesRequest {
  const value = (name: string) => page.properties[name];
  const empty = (name: string) => isEmptyValue(value(name));
  const nameIsPlaceholder = plainText(value(CONTACT_PROPERTY.name)).trim().toLowerCase() === contact.email;
  const source = contact.source === undefined ? "" : selectOptionName(contact.source);
  const stored = dateStart(value(CONTACT_PROPERTY.lastContacted));
  return {
    ...(contact.name !== undefined &&
      (empty(CONTACT_PROPERTY.name) || nameIsPlaceholder) &&
      contact.name.toLowerCase() !== contact.email && { [CONTACT_PROPERTY.name]: title(contact.name) }),
    ...(contact.company !== undefined &&
      empty(CONTACT_PROPERTY.company) && { [CONTACT_PROPERTY.company]: richText(contact.company) }),
    ...(contact.notes !== undefined &&
      empty(CONTACT_PROPERTY.notes) && { [CONTACT_PROPERTY.notes]: richText(contact.notes) }),
    ...(source !== "" && empty(CONTACT_PROPERTY.source) && { [CONTACT_PROPERTY.source]: choice("select", source) }),
    ...(contact.lastContacted !== undefined &&
      isLater(contact.lastContacted, stored) && {
        [CONTACT_PROPERTY.lastContacted]: dateFrom(contact.lastContacted),
      }),
  };
}

/** The contact's email as Notion holds it, trimmed and lower-cased like every email here. */
export function contactEmail(page: PageObjectResponse): string | undefined {
  const address = emailOf(page.properties[CONTACT_PROPERTY.email])?.trim().toLowerCase();
  return address === "" ? undefined : address;
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
