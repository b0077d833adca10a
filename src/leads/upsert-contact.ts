import { createContactWriter, type ContactWriterDependencies } from "../contacts/contact-writer.js";
import type { GuardCreate } from "../contacts/create-guard.js";
import { mergeLeads } from "./contact-properties.js";
import type { Lead } from "./lead.js";
import type { ContactsTarget } from "../notion/worker-targets.js";

export type UpsertDependencies = ContactWriterDependencies & { guardCreate?: GuardCreate | undefined };
export type UpsertResult = { pageId: string; created: boolean };

/**
 * A batch of one email's leads into its contact, through the contact
 * writer (see src/contacts): merged first, received at `receivedAt`.
 */
export async function upsertContact(
  { guardCreate, ...writer }: UpsertDependencies,
  leads: readonly Lead[],
  receivedAt: Date,
): Promise<UpsertResult> {
  const result = await createContactWriter(writer).upsertFromLead(mergeLeads(leads), receivedAt, { guardCreate });
  return { pageId: result.pageId, created: result.outcome === "created" };
}
