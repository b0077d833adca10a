import { isFullPage, type PageObjectResponse } from "@notionhq/client";
import { CONTACT } from "../crm-schema/crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { lookAgain } from "../notion/look-again.js";
import {
  dateStart,
  date,
  isEmptyValue,
  sameNotionTime,
  toNotionPrecision,
  type ChoiceType,
  type PropertiesRequest,
} from "../notion/property-values.js";
import type { ContactCache } from "./contact-cache.js";
import {
  fillEmptyProperties,
  filledFields,
  mergeLeads,
  newContactProperties,
  offeredFields,
} from "./contact-properties.js";
import type { Lead } from "./lead.js";

export type ContactsTarget = {
  dataSourceId: string;
  statusType: ChoiceType;
  /** The ids of the Contacts properties a lookup reads (`filter_properties`). */
  readPropertyIds: readonly string[];
  /** Source's options when the schema was checked (a /form post may not add just any). */
  sourceOptions?: readonly string[] | undefined;
};
/** Runs a create, or refuses it without sending while Notion refuses creates (see the lead worker). */
export type GuardCreate = <T>(run: () => Promise<T>) => Promise<T>;
export type UpsertDependencies = {
  notion: NotionGateway;
  cache: ContactCache;
  contacts: ContactsTarget;
  /** After an ambiguous create, when to look for the contact again. @default CREATE_RECHECK_DELAYS_MS */
  recheckDelaysMs?: readonly number[];
  signal?: AbortSignal;
  guardCreate?: GuardCreate | undefined;
};
export type UpsertResult = { pageId: string; created: boolean };

/**
 * One Contacts page per email: finds the contact (local cache first, then
 * Notion), updates it by the contract's rules, or creates it. Callers
 * serialise calls per email; a create that failed ambiguously is settled by
 * looking the email up again, never by creating blindly.
 */
export async function upsertContact(
  { notion, cache, contacts, recheckDelaysMs, signal, guardCreate = (run) => run() }: UpsertDependencies,
  leads: readonly Lead[],
  receivedAt: Date,
): Promise<UpsertResult> {
  const lead = mergeLeads(leads);
  // Last Contacted is written at the precision Notion keeps, so the settle check below can see it.
  const at = toNotionPrecision(receivedAt);

  const remember = (page: PageObjectResponse) => {
    cache.set(lead.email, page.id, filledFields(page));
    return page;
  };

  const update = async (pageId: string, properties: PropertiesRequest) =>
    remember(
      await notion.write(
        "pages.update contact",
        async (client) => fullPage(await client.pages.update({ page_id: pageId, properties })),
        // The update is settled when the page shows our Last Contacted and a value in every field it filled.
        async () => {
          const page = await retrieve(pageId);
          const applied =
            page !== undefined &&
            sameNotionTime(dateStart(page.properties[CONTACT.lastContacted]), at) &&
            Object.keys(properties).every((name) => !isEmptyValue(page.properties[name]));
          return applied ? page : undefined;
        },
      ),
    );

  const retrieve = async (pageId: string) => {
    const page = fullPage(
      await notion.read("pages.retrieve contact", (client) => client.pages.retrieve({ page_id: pageId })),
    );
    return page.in_trash ? undefined : page;
  };

  const find = async () => {
    const result = await notion.read("query contact by email", (client) =>
      client.dataSources.query({
        data_source_id: contacts.dataSourceId,
        filter: { property: CONTACT.email, email: { equals: lead.email } },
        sorts: [{ timestamp: "created_time", direction: "ascending" }],
        page_size: 1,
        filter_properties: [...contacts.readPropertyIds],
      }),
    );
    const [first] = result.results;
    return first !== undefined && isFullPage(first) ? first : undefined;
  };

  const cached = cache.get(lead.email);
  if (cached !== undefined) {
    try {
      const mayFill = offeredFields(lead).some((field) => !cached.filled.has(field));
      if (!mayFill) {
        await update(cached.pageId, { [CONTACT.lastContacted]: date(at) });
        return { pageId: cached.pageId, created: false };
      }
      const page = await retrieve(cached.pageId);
      if (page !== undefined) {
        await update(page.id, fillEmptyProperties(page, lead, at));
        return { pageId: page.id, created: false };
      }
    } catch (error) {
      if (!isGone(error)) throw error;
    }
    // The cached page was deleted or trashed in Notion: find or create again.
    cache.forget(lead.email);
  }

  const existing = await find();
  if (existing !== undefined) {
    await update(existing.id, fillEmptyProperties(existing, lead, at));
    return { pageId: existing.id, created: false };
  }
  const created = await guardCreate(() =>
    notion.write(
      "pages.create contact",
      async (client) =>
        fullPage(
          await client.pages.create({
            parent: { data_source_id: contacts.dataSourceId },
            properties: newContactProperties(lead, contacts.statusType, at),
          }),
        ),
      // Notion may name the page it wrote; otherwise its query index can lag the create by seconds.
      async (committedResourceId) =>
        committedResourceId === undefined ? lookAgain(find, recheckDelaysMs, signal) : retrieve(committedResourceId),
    ),
  );
  remember(created);
  return { pageId: created.id, created: true };
}

function fullPage(response: Parameters<typeof isFullPage>[0]): PageObjectResponse {
  if (!isFullPage(response))
    throw new Error("Notion returned a partial page; the integration needs read content capability");
  return response;
}

/** A page that no longer exists for us: deleted, trashed, or unshared. */
function isGone(error: unknown): boolean {
  if (!isNotionGatewayError(error) || error.code !== "notion_rejected") return false;
  const { notionCode } = error.details;
  return (
    notionCode === "object_not_found" || (notionCode === "validation_error" && /archived|trash/i.test(error.message))
  );
}
