import { isFullPage, type PageObjectResponse, APIErrorCode } from "@notionhq/client";
import { parseNotionId } from "../config/parse-notion-id.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { SlackOutbox } from "../slack/slack-outbox.js";
import type { Store } from "../store/open-store.js";
import type { DealsTarget } from "../notion/worker-targets.js";
import type { DealStageStore } from "./deal-stage-store.js";
import type { NotionEventStore, StoredEvent } from "./notion-event-store.js";
import { settleDealPage, type FirstSighting } from "./settle-deal-page.js";

export type { DealsTarget };
export type DealEventDependencies = {
  db: Store;
  notion: NotionGateway;
  events: NotionEventStore;
  stages: DealStageStore;
  outbox: SlackOutbox;
  deals: DealsTarget;
  /** Slack app mode: a move into negotiation also messages each owner directly. */
  directMessages?: boolean;
};
export type DealEventOutcome = "ignored" | "gone" | "unchanged" | "changed" | "notified";

/**
 * Settles every queued event of one page with one page read. Notion's events
 * name only the changed property ids and arrive aggregated, late and out of
 * order, so the page's current Stage is compared with the last one stored;
 * the events only say when to look.
 */
export async function processDealEvents(
  deps: DealEventDependencies,
  pageId: string,
  batch: readonly StoredEvent[],
): Promise<DealEventOutcome> {
  const { events, deals } = deps;
  const ids = batch.map((event) => event.id);
  // Events whose parent is named and is not Deals are someone else's pages.
  if (
    batch.every((event) => event.parentId !== undefined && !isDeals(event.parentId, event.parentDataSourceId, deals))
  ) {
    events.settle(ids, "ignored");
    return "ignored";
  }
  const page = await readPage(deps.notion, pageId);
  if (page === undefined) {
    events.settle(ids, "done");
    return "gone";
  }
  if (!isDeals(parentDatabaseId(page), parentDataSourceId(page), deals)) {
    events.settle(ids, "ignored");
    return "ignored";
  }

  // Settled in the same transaction as the stage it records.
  const outcome = settleDealPage(deps, page, {
    firstSighting: firstSightingFrom(batch, deals.stagePropertyId),
    valueFormat: deals.valueFormat,
    alsoInTransaction: () => events.settle(ids, "done"),
  });
  return outcome === "stale" ? "unchanged" : outcome;
}

/**
 * A deal never seen before: a page.created event makes it a new deal; an
 * update whose changed properties include Stage is a change from an unknown
 * stage; any other edit only teaches us its stage.
 */
function firstSightingFrom(batch: readonly StoredEvent[], stagePropertyId: string | undefined): FirstSighting {
  if (batch.some((event) => event.type === "page.created")) return { changed: true, from: undefined };
  const stageChanged =
    stagePropertyId !== undefined &&
    batch.some((event) => event.updatedProperties.some((id) => sameId(id, stagePropertyId)));
  return { changed: stageChanged, from: "unknown" };
}

async function readPage(notion: NotionGateway, pageId: string): Promise<PageObjectResponse | undefined> {
  try {
    const page = await notion.read("pages.retrieve deal", (client) => client.pages.retrieve({ page_id: pageId }));
    return isFullPage(page) && !page.in_trash ? page : undefined;
  } catch (error) {
    if (isNotionGatewayError(error) && error.details.notionCode === APIErrorCode.ObjectNotFound) return undefined;
    throw error;
  }
}

function isDeals(parentId: string | undefined, dataSourceId: string | undefined, deals: DealsTarget): boolean {
  const ids = [parentId, dataSourceId].map((id) => (id === undefined ? undefined : parseNotionId(id)));
  return ids.includes(deals.databaseId) || ids.includes(deals.dataSourceId);
}

function parentDatabaseId(page: PageObjectResponse): string | undefined {
  return "database_id" in page.parent ? page.parent.database_id : undefined;
}

function parentDataSourceId(page: PageObjectResponse): string | undefined {
  return "data_source_id" in page.parent ? page.parent.data_source_id : undefined;
}

// Property ids arrive URL-encoded ("%3CnJT") in events and in schemas alike, but not always the same way.
function sameId(a: string, b: string): boolean {
  return safeDecode(a) === safeDecode(b);
}

function safeDecode(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}
