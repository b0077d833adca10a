import type { PageObjectResponse } from "@notionhq/client";
import { CONTACT } from "../crm-schema/crm-schema.js";
import { peopleOf, type NotionPerson } from "../notion/people-of.js";
import { dateStart, emailOf, plainText } from "../notion/property-values.js";

/** What a stale lead is read from; Owner only when Contacts has one (propertyIdsOf leaves absent ones out). */
export const STALE_LEAD_PROPERTIES = [CONTACT.name, CONTACT.email, CONTACT.lastContacted, CONTACT.owner] as const;

/** What the digest needs of one Contacts page. */
export type StaleLead = {
  id: string;
  url: string;
  name: string;
  email: string | undefined;
  /** `Last Contacted`'s start as Notion wrote it ("2025-01-31" or a date-time); undefined: never contacted. */
  lastContacted: string | undefined;
  /** Notion's created_time (minute precision). */
  createdTime: string;
  /** Contacts' optional Owner; empty without the property. */
  owners?: NotionPerson[];
};

export function toStaleLead(page: PageObjectResponse): StaleLead {
  return {
    id: page.id,
    url: page.url,
    name: plainText(page.properties[CONTACT.name]).trim(),
    email: emailOf(page.properties[CONTACT.email]),
    lastContacted: dateStart(page.properties[CONTACT.lastContacted]),
    createdTime: page.created_time,
    owners: peopleOf(page.properties[CONTACT.owner]),
  };
}

/**
 * Stalest first. A lead never contacted is the worst case, so it comes before
 * every dated one; among those, the one waiting longest (created first) leads.
 * Dated leads go by Last Contacted, oldest first. The id makes the order total.
 */
export function compareStaleness(a: StaleLead, b: StaleLead): number {
  if (a.lastContacted !== b.lastContacted) {
    if (a.lastContacted === undefined) return -1;
    if (b.lastContacted === undefined) return 1;
    const byContact = Date.parse(a.lastContacted) - Date.parse(b.lastContacted);
    if (byContact !== 0) return byContact;
  }
  return Date.parse(a.createdTime) - Date.parse(b.createdTime) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
