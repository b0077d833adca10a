import { isFullPage, type PageObjectResponse } from "@notionhq/client";
import { CONTACT } from "../crm-schema/crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { toNotionPrecision, type ChoiceType, type PropertiesRequest } from "../notion/property-values.js";
import type { ContactCache } from "./contact-cache.js";
import {
  contactEmail,
  filledFields,
  holdsWritten,
  newContactProperties,
  patchNeedsPage,
  patchProperties,
  type ContactPatch,
  type NewContact,
} from "./contact-properties.js";
import type { CreateClaims } from "./create-claims.js";
import { UNGUARDED, type GuardCreate } from "./create-guard.js";
import { leadPatch, newLeadContact, type LeadContact } from "./lead-contact.js";
import { lookAgain } from "./look-again.js";

import type { ContactsTarget } from "../notion/worker-targets.js";

export type { ContactsTarget };

export type ContactWriterDependencies = {
  /** The caller's gateway, and so its lane of the shared limiter: live for the server, bulk for the import. */
  notion: NotionGateway;
  cache: ContactCache;
  contacts: ContactsTarget;
  /**
   * The cross-process claim on an email's create: while the server creates a
   * contact, an import reaching the same email waits and then finds it (and
   * the other way round). Unset: only this process's own order protects it.
   */
  claims?: CreateClaims | undefined;
  /** After an ambiguous create, when to look for the contact again. @default CREATE_RECHECK_DELAYS_MS */
  recheckDelaysMs?: readonly number[] | undefined;
  signal?: AbortSignal | undefined;
};

export type WriteOptions = {
  /** The create-refused hold around a create (see create-guard). @default UNGUARDED */
  guardCreate?: GuardCreate | undefined;
  /** Called just before a create or an update is sent (the import journals it). */
  onSend?: ((kind: "create" | "update") => void) | undefined;
};

export type UpdateOptions = WriteOptions & {
  /**
   * The page's Status as the caller saw it a moment ago (a Slack message
   * listing it as a new lead): a patch that needs the page only for its
   * Status condition is then written without reading it, in one Notion call.
   */
  knownStatus?: string | undefined;
};

export type UpsertOptions = WriteOptions & {
  /**
   * What the caller read of this email at `readAtMs` (the import's index of
   * every contact): trusted unless the shared cache saw a write since, so a
   * contact another process created meanwhile is updated, not made twice.
   * `page: undefined`: there was none.
   */
  known?: { page: PageObjectResponse | undefined; readAtMs: number } | undefined;
};

export type ContactOutcome = "created" | "updated" | "unchanged";
export type ContactWrite = { pageId: string; outcome: ContactOutcome };

/** The contact an email or a page id names. */
export type ContactRef = { email: string } | { pageId: string };

export type ContactWriter = ReturnType<typeof createContactWriter>;

/**
 * The one writer of Contacts: exactly one page per email. It finds a contact
 * by email (the shared cache first, then Notion), applies a patch by the
 * contract's rules, creates through the create-refused hold, and settles a
 * create whose answer was lost by looking the email up again over a few
 * seconds, never by creating blindly. Callers serialise writes per email.
 */
export function createContactWriter({
  notion,
  cache,
  contacts,
  claims,
  recheckDelaysMs,
  signal,
}: ContactWriterDependencies) {
  const remember = (page: PageObjectResponse, email = contactEmail(page)) => {
    if (email !== undefined) cache.set(email, page.id, filledFields(page));
    return page;
  };

  const retrieve = async (pageId: string) => {
    const page = fullPage(
      await notion.read("pages.retrieve contact", (client) => client.pages.retrieve({ page_id: pageId })),
    );
    return page.in_trash ? undefined : page;
  };

  /** The oldest contact with this email in Notion (not the cache). */
  const find = async (email: string) => {
    const result = await notion.read("query contact by email", (client) =>
      client.dataSources.query({
        data_source_id: contacts.dataSourceId,
        filter: { property: CONTACT.email, email: { equals: email } },
        sorts: [{ timestamp: "created_time", direction: "ascending" }],
        page_size: 1,
        filter_properties: [...contacts.readPropertyIds],
      }),
    );
    const [first] = result.results;
    return first !== undefined && isFullPage(first) ? first : undefined;
  };

  const send = async (
    pageId: string,
    properties: PropertiesRequest,
    email: string | undefined,
    options: WriteOptions,
  ): Promise<ContactWrite> => {
    options.onSend?.("update");
    const page = await notion.write(
      "pages.update contact",
      async (client) => fullPage(await client.pages.update({ page_id: pageId, properties })),
      // Settled when the page shows every value written.
      async () => {
        const page = await retrieve(pageId);
        return page !== undefined && holdsWritten(page, properties) ? page : undefined;
      },
    );
    remember(page, email);
    return { pageId: page.id, outcome: "updated" };
  };

  /** What a patch writes on a page not read: only a patch that needs no reading (see patchNeedsPage). */
  const unread = (patch: ContactPatch, options: UpdateOptions) =>
    patchProperties(undefined, patch, contacts.statusType, options.knownStatus);

  /** Applies a patch to a page read just now (or known); nothing to change costs no call. */
  const apply = async (
    page: PageObjectResponse,
    patch: ContactPatch,
    email: string | undefined,
    options: WriteOptions,
  ) => {
    const properties = patchProperties(page, patch, contacts.statusType);
    if (Object.keys(properties).length === 0) {
      remember(page, email);
      return { pageId: page.id, outcome: "unchanged" as const };
    }
    return send(page.id, properties, email, options);
  };

  /** Through the cached page id; undefined when the cache has none or its page is gone. */
  const viaCache = async (email: string, patch: ContactPatch, options: UpdateOptions) => {
    const cached = cache.get(email);
    if (cached === undefined) return undefined;
    try {
      if (!patchNeedsPage(patch, cached.filled, options.knownStatus)) {
        return await send(cached.pageId, unread(patch, options), email, options);
      }
      const page = await retrieve(cached.pageId);
      if (page !== undefined) return await apply(page, patch, email, options);
    } catch (error) {
      if (!isGone(error)) throw error;
    }
    // The cached page was deleted or trashed in Notion: found or created again.
    cache.forget(email);
    return undefined;
  };

  /**
   * Creates the contact under the email's claim. Another process holding it
   * is creating the same contact: wait, then find what it made (the shared
   * cache first, then Notion) and patch it instead.
   */
  const create = async (contact: NewContact, patch: ContactPatch, options: WriteOptions): Promise<ContactWrite> => {
    if (claims === undefined) return createNow(contact, options);
    const { email } = contact;
    for (;;) {
      if (claims.take(email)) {
        try {
          return await createNow(contact, options);
        } finally {
          claims.release(email);
        }
      }
      await claims.waitWhileHeld(email, signal);
      const viaCached = await viaCache(email, patch, options);
      if (viaCached !== undefined) return viaCached;
      const existing = await find(email);
      if (existing !== undefined) return apply(existing, patch, email, options);
    }
  };

  const createNow = async (contact: NewContact, options: WriteOptions): Promise<ContactWrite> => {
    const guardCreate = options.guardCreate ?? UNGUARDED;
    const created = await guardCreate(() => {
      options.onSend?.("create");
      return notion.write(
        "pages.create contact",
        async (client) =>
          fullPage(
            await client.pages.create({
              parent: { data_source_id: contacts.dataSourceId },
              properties: newContactProperties(contact, contacts.statusType),
            }),
          ),
        // Notion may name the page it wrote; otherwise its query index can lag the create by seconds.
        async (committedResourceId) =>
          committedResourceId === undefined
            ? lookAgain(() => find(contact.email), recheckDelaysMs, signal)
            : retrieve(committedResourceId),
      );
    });
    remember(created, contact.email);
    return { pageId: created.id, outcome: "created" };
  };

  const writer = {
    /**
     * The contact of `contact.email`, patched when it exists, created from
     * `contact` when it does not.
     */
    async upsert(contact: NewContact, patch: ContactPatch, options: UpsertOptions = {}): Promise<ContactWrite> {
      const { email } = contact;
      const { known } = options;
      const cached = cache.get(email);
      if (known !== undefined && (cached === undefined || cached.updatedAtMs < known.readAtMs)) {
        return known.page === undefined ? create(contact, patch, options) : apply(known.page, patch, email, options);
      }
      const viaCached = await viaCache(email, patch, options);
      if (viaCached !== undefined) return viaCached;
      const existing = await find(email);
      if (existing !== undefined) return apply(existing, patch, email, options);
      return create(contact, patch, options);
    },

    /**
     * A lead for its contact, as the contract says: a new contact gets the
     * lead's fields, Status `new lead` and Last Contacted `at`; an existing
     * one gets Last Contacted `at` and its empty fields filled (a Name that
     * is only the email included), Status untouched.
     */
    async upsertFromLead(lead: LeadContact, receivedAt: Date, options: WriteOptions = {}): Promise<ContactWrite> {
      // Written at the precision Notion keeps, so the settle check can see it.
      const at = toNotionPrecision(receivedAt);
      return writer.upsert(newLeadContact(lead, at), leadPatch(lead, at), options);
    },

    /**
     * Changes an existing contact (a Slack click, a logged email); never
     * creates one. Undefined: no contact has that email, or the page is gone.
     * By page id, a patch that needs no reading (a Status to set, an Owner,
     * a date; see `knownStatus`) is sent without reading the page first.
     */
    async updateContact(
      ref: ContactRef,
      patch: ContactPatch,
      options: UpdateOptions = {},
    ): Promise<ContactWrite | undefined> {
      if ("email" in ref) {
        const viaCached = await viaCache(ref.email, patch, options);
        if (viaCached !== undefined) return viaCached;
        const existing = await find(ref.email);
        return existing === undefined ? undefined : apply(existing, patch, ref.email, options);
      }
      try {
        if (!patchNeedsPage(patch, new Set(), options.knownStatus)) {
          return await send(ref.pageId, unread(patch, options), undefined, options);
        }
        const page = await retrieve(ref.pageId);
        return page === undefined ? undefined : await apply(page, patch, undefined, options);
      } catch (error) {
        if (isGone(error)) return undefined;
        throw error;
      }
    },

    /** The contact of an email: the cached page, else the oldest with that email in Notion. */
    async findContact(email: string): Promise<PageObjectResponse | undefined> {
      const cached = cache.get(email);
      if (cached !== undefined) {
        const page = await retrieve(cached.pageId).catch((error: unknown) => {
          if (isGone(error)) return undefined;
          throw error;
        });
        if (page !== undefined) return remember(page, email);
        cache.forget(email);
      }
      const found = await find(email);
      return found === undefined ? undefined : remember(found, email);
    },
  };
  return writer;
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
