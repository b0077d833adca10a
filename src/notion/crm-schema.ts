/** The Notion schema of the contract: what the server reads and writes. */
export type CrmDatabase = "contacts" | "deals" | "activities";
export type PropertyType =
  "title" | "rich_text" | "email" | "select" | "status" | "date" | "number" | "people" | "relation";

export type ExpectedProperty = {
  readonly name: string;
  readonly types: readonly PropertyType[];
  readonly optional?: boolean;
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

export const NEW_LEAD_STATUS = "new lead";
export const CONTACT_STATUSES = [NEW_LEAD_STATUS, "contacted", "qualified", "customer", "lost"] as const;
export const DEAL_STAGES = ["new", "qualified", "proposal", "negotiation", "won", "lost"] as const;
export const FORM_SUBMISSION_ACTIVITY = "Form submission";

export const CRM_SCHEMA: Readonly<Record<CrmDatabase, ExpectedDatabase>> = {
  contacts: {
    label: "Contacts",
    setting: "NOTION_CONTACTS_DB_ID",
    properties: [
      { name: "Name", types: ["title"] },
      { name: "Email", types: ["email"] },
      { name: "Company", types: ["rich_text"] },
      { name: "Status", types: ["select", "status"], requiredOptions: [NEW_LEAD_STATUS] },
      { name: "Source", types: ["select"] },
      { name: "Last Contacted", types: ["date"] },
      { name: "Notes", types: ["rich_text"] },
    ],
  },
  deals: {
    label: "Deals",
    setting: "NOTION_DEALS_DB_ID",
    properties: [
      { name: "Deal Name", types: ["title"] },
      { name: "Stage", types: ["select", "status"] },
      { name: "Value", types: ["number"] },
      { name: "Owner", types: ["people"], optional: true },
    ],
  },
  activities: {
    label: "Activities",
    setting: "NOTION_ACTIVITIES_DB_ID",
    properties: [
      { name: "Name", types: ["title"] },
      { name: "Contact", types: ["relation"], relatesTo: "contacts" },
      { name: "Type", types: ["select"] },
      { name: "Date", types: ["date"] },
      { name: "Notes", types: ["rich_text"] },
    ],
  },
};
