import type { ActivityRow } from "../contacts/record-activity.js";
import { ACTIVITY, EMAIL_RECEIVED_ACTIVITY, EMAIL_SENT_ACTIVITY } from "../crm-schema/crm-schema.js";
import { choice, date, relation, richText, title } from "../notion/property-values.js";
import type { QueuedEmail } from "./inbound-email-queue.js";

/** The title of an email without a subject. */
export const NO_SUBJECT = "(no subject)";

/**
 * A logged email's Activities row: named by its subject, typed `Email sent`
 * or `Email received`, dated with the email's date, the snippet in Notes.
 * A retry recognises it by subject, contact and that date.
 */
export function emailActivity(email: QueuedEmail, contactPageId: string): ActivityRow {
  const name = email.subject === "" ? NO_SUBJECT : email.subject;
  const at = new Date(email.dateMs);
  return {
    properties: {
      [ACTIVITY.name]: title(name),
      [ACTIVITY.contact]: relation([contactPageId]),
      [ACTIVITY.type]: choice("select", email.direction === "sent" ? EMAIL_SENT_ACTIVITY : EMAIL_RECEIVED_ACTIVITY),
      [ACTIVITY.date]: date(at),
      ...(email.snippet !== undefined && { [ACTIVITY.notes]: richText(email.snippet) }),
    },
    contactPageId,
    match: { titleContains: name, date: at },
  };
}
