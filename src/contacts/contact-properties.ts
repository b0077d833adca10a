import type { PageObjectResponse } from "@notionhq/client";
import { CONTACT } from "../crm-schema/crm-schema.js";
import {
  choice,
  choiceName,
  date,
  dateFrom,
  dateStart,
  email,
  emailOf,
  isEmptyValue,
  plainText,
  richText,
  sameNotionTime,
  title,
  type ChoiceType,
  type PropertiesRequest,
  type PropertyValueRequest,
} from "../notion/property-values.js";
import { CONTACT_FIELDS, type ContactField } from "./contact-cache.js";
import { normalizeEmail } from "./normalize-email.js";

/**
 * A date the contact was touched: an instant (written as Notion's ISO
 * date-time) or a day as a file gives it ("2026-03-04", or an ISO string).
 */
export type ContactDate = Date | string;

/** A new Contacts page. */
export type NewContact = {
  email: string;
  /** Unset: the email stands in as the Name (a placeholder a later name fills). */
  name?: string | undefined;
  company?: string | undefined;
  notes?: string | undefined;
  source: string;
  status: string;
  lastContacted?: ContactDate | undefined;
  /** Notion user ids for the optional Owner (people) property. */
  owner?: readonly string[] | undefined;
};

/**
 * A change to an existing contact, by the contract's rules: fields are
 * filled only where empty (a Name that is only the email counts as empty),
 * nothing filled is overwritten, Status changes only when asked, and then
 * only from the given statuses.
 */
export type ContactPatch = {
  fill?: Partial<Record<ContactField, string | undefined>>;
  /** `always`: Last Contacted becomes `at`; `later`: only when `at` is later than the page's (or it has none). */
  lastContacted?: { at: ContactDate; when: "always" | "later" } | undefined;
  /** Status becomes `to`; with `from`, only when the page's Status is one of those (`new lead` -> contacted). */
  status?: { to: string; from?: readonly string[] | undefined } | undefined;
  /** Owner (people) becomes these Notion users. */
  owner?: readonly string[] | undefined;
  /** `Snoozed Until` (the optional date property) becomes this day: the digest leaves the lead out until then. */
  snoozedUntil?: ContactDate | undefined;
};

const FIELD_PROPERTY: Record<ContactField, string> = {
  name: CONTACT.name,
  company: CONTACT.company,
  notes: CONTACT.notes,
  source: CONTACT.source,
};
const FIELDS = CONTACT_FIELDS;

/** A new contact's properties: Name (the email when there is none), Email, Status, Source, and what else it has. */
export function newContactProperties(contact: NewContact, statusType: ChoiceType): PropertiesRequest {
  return {
    [CONTACT.name]: title(contact.name ?? contact.email),
    [CONTACT.email]: email(contact.email),
    ...(contact.company !== undefined && { [CONTACT.company]: richText(contact.company) }),
    [CONTACT.status]: choice(statusType, contact.status),
    [CONTACT.source]: choice("select", contact.source),
    ...(contact.lastContacted !== undefined && { [CONTACT.lastContacted]: dateValue(contact.lastContacted) }),
    ...(contact.notes !== undefined && { [CONTACT.notes]: richText(contact.notes) }),
    ...(contact.owner !== undefined && { [CONTACT.owner]: people(contact.owner) }),
  };
}

/**
 * What a patch writes on this page; empty: nothing to write. Without the
 * page (a cached contact whose offered fields are all known filled), only
 * the parts that need no reading: see `patchNeedsPage`.
 */
export function patchProperties(
  page: PageObjectResponse | undefined,
  patch: ContactPatch,
  statusType: ChoiceType,
  knownStatus?: string,
): PropertiesRequest {
  if (page === undefined && patchNeedsPage(patch, new Set(FIELDS), knownStatus)) {
    throw new Error("this contact patch reads the page: pass it");
  }
  const properties: PropertiesRequest = {};
  const empty = new Set(page === undefined ? [] : emptyFields(page));
  const pageEmail = page === undefined ? undefined : contactEmail(page);
  for (const field of FIELDS) {
    const value = patch.fill?.[field];
    if (value === undefined || !empty.has(field)) continue;
    // Filling a Name with the email would only write the placeholder again.
    if (field === "name" && value.trim().toLowerCase() === pageEmail) continue;
    properties[FIELD_PROPERTY[field]] = field === "source" ? choice("select", value) : textValue(field, value);
  }
  const { lastContacted, status, owner, snoozedUntil } = patch;
  if (lastContacted !== undefined) {
    const stored = page === undefined ? undefined : dateStart(page.properties[CONTACT.lastContacted]);
    if (lastContacted.when === "always" || isLater(lastContacted.at, stored)) {
      properties[CONTACT.lastContacted] = dateValue(lastContacted.at);
    }
  }
  if (status !== undefined) {
    const current = page === undefined ? knownStatus : choiceName(page.properties[CONTACT.status]);
    const allowed = status.from === undefined || (current !== undefined && status.from.includes(current));
    if (allowed && current !== status.to) properties[CONTACT.status] = choice(statusType, status.to);
  }
  if (owner !== undefined) properties[CONTACT.owner] = people(owner);
  if (snoozedUntil !== undefined) properties[CONTACT.snoozedUntil] = dateValue(snoozedUntil);
  return properties;
}

/**
 * Whether a patch must read the page first, given the fields known to be
 * filled and, when the caller saw it a moment ago, the page's Status (its
 * `status.from` condition is then decided without reading).
 */
export function patchNeedsPage(
  patch: ContactPatch,
  knownFilled: ReadonlySet<ContactField>,
  knownStatus?: string,
): boolean {
  const mayFill = FIELDS.some((field) => patch.fill?.[field] !== undefined && !knownFilled.has(field));
  const readsStatus = patch.status?.from !== undefined && knownStatus === undefined;
  return mayFill || patch.lastContacted?.when === "later" || readsStatus;
}

/** Which of the fillable fields hold a value; a Name that is only the email does not. */
export function filledFields(page: PageObjectResponse): ContactField[] {
  const empty = new Set(emptyFields(page));
  return FIELDS.filter((field) => !empty.has(field));
}

function emptyFields(page: PageObjectResponse): ContactField[] {
  return FIELDS.filter((field) =>
    field === "name" ? isPlaceholderName(page) : isEmptyValue(page.properties[FIELD_PROPERTY[field]]),
  );
}

/** A Name that is empty or only the contact's email (what a lead without a name leaves): a later name fills it. */
export function isPlaceholderName(page: PageObjectResponse): boolean {
  const name = plainText(page.properties[CONTACT.name]).trim().toLowerCase();
  return name === "" || name === contactEmail(page);
}

/** The contact's email as Notion holds it, trimmed and lower-cased like every email here. */
export function contactEmail(page: PageObjectResponse): string | undefined {
  const stored = emailOf(page.properties[CONTACT.email]);
  const address = stored === undefined ? undefined : normalizeEmail(stored);
  return address === "" ? undefined : address;
}

/**
 * Whether the page holds every value written (at the precision Notion keeps
 * dates): how an update whose answer was lost is known to have happened.
 */
export function holdsWritten(page: PageObjectResponse, written: PropertiesRequest): boolean {
  return Object.entries(written).every(([name, value]) => holdsValue(page.properties[name], value));
}

function holdsValue(
  stored: PageObjectResponse["properties"][string] | undefined,
  value: PropertyValueRequest,
): boolean {
  if ("title" in value || "rich_text" in value) {
    const chunks = ("title" in value ? value.title : value.rich_text) as Array<{ text?: { content: string } }>;
    return plainText(stored) === chunks.map((chunk) => chunk.text?.content ?? "").join("");
  }
  if ("select" in value && value.select && "name" in value.select) return choiceName(stored) === value.select.name;
  if ("status" in value && value.status && "name" in value.status) return choiceName(stored) === value.status.name;
  if ("date" in value && value.date) {
    const start = dateStart(stored);
    return value.date.start.includes("T")
      ? sameNotionTime(start, new Date(value.date.start))
      : start === value.date.start;
  }
  if ("people" in value && Array.isArray(value.people)) {
    const ids = stored?.type === "people" ? stored.people.map((person) => person.id).sort() : [];
    return JSON.stringify(ids) === JSON.stringify(value.people.map((person) => person.id).sort());
  }
  return !isEmptyValue(stored);
}

function textValue(field: ContactField, value: string): PropertyValueRequest {
  return field === "name" ? title(value) : richText(value);
}

function dateValue(at: ContactDate): PropertyValueRequest {
  return typeof at === "string" ? dateFrom(at) : date(at);
}

function people(ids: readonly string[]): PropertyValueRequest {
  return { people: ids.map((id) => ({ id })) };
}

/** Whether `a` is after `b`; an absent `b` is earlier than anything. */
function isLater(a: ContactDate, b: string | undefined): boolean {
  const at = typeof a === "string" ? Date.parse(a) : a.getTime();
  return b === undefined || at > Date.parse(b);
}
