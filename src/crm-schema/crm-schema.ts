/**
 * The Notion schema of the contract (docs/reference.md, "The Notion schema"): every
 * property name, its expected types and the option values the server reads
 * and writes. Code names properties through these constants, never by
 * spelling them out, so a rename happens here once.
 */

/** The Notion-Version header every request to Notion sends. Ready for 2026-12-01 (see docs/reference.md), which the SDK does not support yet. */
export const NOTION_VERSION = "2026-03-11";

export type CrmDatabase = "contacts" | "deals" | "activities";
export type PropertyType =
  "title" | "rich_text" | "email" | "select" | "status" | "date" | "number" | "people" | "relation";

/** Contacts' property names. */
export const CONTACT = {
  name: "Name",
  email: "Email",
  company: "Company",
  status: "Status",
  source: "Source",
  lastContacted: "Last Contacted",
  notes: "Notes",
  /** Optional: who looks after the lead; the digest messages each owner their own stale leads. */
  owner: "Owner",
  /** Optional (date): until when a lead snoozed from Slack stays out of the digest. */
  snoozedUntil: "Snoozed Until",
} as const;

/** Deals' property names. */
export const DEAL = {
  name: "Deal Name",
  stage: "Stage",
  value: "Value",
  owner: "Owner",
} as const;

/** Activities' property names. */
export const ACTIVITY = {
  name: "Name",
  contact: "Contact",
  type: "Type",
  date: "Date",
  notes: "Notes",
} as const;

/** Contacts' Status options; new contacts get `new lead`. */
export const NEW_LEAD_STATUS = "new lead";
export const CONTACT_STATUSES = [NEW_LEAD_STATUS, "contacted", "qualified", "customer", "lost"] as const;
/** Contacts' Source when a lead names none. */
export const DEFAULT_SOURCE = "website";

/** Deals' Stage options; changes into won, lost and negotiation are posted to Slack. */
export const DEAL_STAGE = {
  new: "new",
  qualified: "qualified",
  proposal: "proposal",
  negotiation: "negotiation",
  won: "won",
  lost: "lost",
} as const;
export const DEAL_STAGES = Object.values(DEAL_STAGE);

/** Activities' Type options; every accepted lead writes a `Form submission`. */
export const FORM_SUBMISSION_ACTIVITY = "Form submission";
/** A logged email (docs/email-logging.md): one the team sent, one a contact sent. */
export const EMAIL_SENT_ACTIVITY = "Email sent";
export const EMAIL_RECEIVED_ACTIVITY = "Email received";
export const ACTIVITY_TYPES = [
  FORM_SUBMISSION_ACTIVITY,
  "Call",
  "Email",
  "Meeting",
  EMAIL_SENT_ACTIVITY,
  EMAIL_RECEIVED_ACTIVITY,
] as const;

export type ExpectedProperty = {
  readonly name: string;
  readonly types: readonly PropertyType[];
  readonly optional?: boolean;
  /** An optional feature's property: of another type it turns the feature off instead of being a schema problem. */
  readonly featureOnly?: boolean;
  /** For relations: the database the property must point to. */
  readonly relatesTo?: CrmDatabase;
  /** For status properties: options that must exist (the API cannot add status options). */
  readonly requiredOptions?: readonly string[];
};

export type ExpectedDatabase = {
  readonly label: string;
  readonly setting: "NOTION_CONTACTS_DB_ID" | "NOTION_DEALS_DB_ID" | "NOTION_ACTIVITIES_DB_ID";
  readonly properties: readonly ExpectedProperty[];
};

/** What the schema check expects of each database (Status and Stage may be select or status). */
export const CRM_SCHEMA: Readonly<Record<CrmDatabase, ExpectedDatabase>> = {
  contacts: {
    label: "Contacts",
    setting: "NOTION_CONTACTS_DB_ID",
    properties: [
      { name: CONTACT.name, types: ["title"] },
      { name: CONTACT.email, types: ["email"] },
      { name: CONTACT.company, types: ["rich_text"] },
      { name: CONTACT.status, types: ["select", "status"], requiredOptions: [NEW_LEAD_STATUS] },
      { name: CONTACT.source, types: ["select"] },
      { name: CONTACT.lastContacted, types: ["date"] },
      { name: CONTACT.notes, types: ["rich_text"] },
      { name: CONTACT.owner, types: ["people"], optional: true, featureOnly: true },
    ],
  },
  deals: {
    label: "Deals",
    setting: "NOTION_DEALS_DB_ID",
    properties: [
      { name: DEAL.name, types: ["title"] },
      { name: DEAL.stage, types: ["select", "status"] },
      { name: DEAL.value, types: ["number"] },
      { name: DEAL.owner, types: ["people"], optional: true },
    ],
  },
  activities: {
    label: "Activities",
    setting: "NOTION_ACTIVITIES_DB_ID",
    properties: [
      { name: ACTIVITY.name, types: ["title"] },
      { name: ACTIVITY.contact, types: ["relation"], relatesTo: "contacts" },
      { name: ACTIVITY.type, types: ["select"] },
      { name: ACTIVITY.date, types: ["date"] },
      { name: ACTIVITY.notes, types: ["rich_text"] },
    ],
  },
};
