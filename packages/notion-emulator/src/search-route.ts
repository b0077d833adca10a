import type { DataSourceObjectResponse, PageObjectResponse, SearchResponse } from "@notionhq/client";
import { toDataSourceResponse } from "./database-response.js";
import type { EmulatorContext, RouteHandler } from "./emulator-context.js";
import { bodyValidationError } from "./notion-api-error.js";
import { isRecord } from "./notion-types.js";
import { toPageResponse, toWorkspacePageResponse } from "./page-response.js";
import { paginate, parsePageSize } from "./paginate.js";
import { plainTextOf } from "./rich-text.js";

type Hit = {
  id: string;
  kind: "page" | "data_source";
  title: string;
  editedMs: number;
  seq: number;
  render(): SearchResult;
};
type SearchResult = PageObjectResponse | DataSourceObjectResponse;

/** POST /v1/search: pages and data sources whose title contains `query`, case-insensitively. */
export const search: RouteHandler = (req, ctx) => {
  const { query, filter, sort, start_cursor: startCursor } = req.body;
  if (query !== undefined && typeof query !== "string") throw bodyValidationError("body.query should be a string.");
  const kind = parseKindFilter(filter);
  const direction = parseSort(sort);
  const needle = (query ?? "").toLowerCase();
  const hits = everything(ctx)
    .filter((hit) => (kind === undefined || hit.kind === kind) && hit.title.toLowerCase().includes(needle))
    .sort((a, b) => direction * (a.editedMs - b.editedMs) || a.seq - b.seq);
  const page = paginate(hits, {
    codec: ctx.cursors,
    scope: `search:${JSON.stringify([query ?? "", kind ?? null, direction])}`,
    startCursor,
    pageSize: parsePageSize(req.body["page_size"], "body.page_size"),
  });
  const body: SearchResponse = {
    object: "list",
    results: page.results.map((hit) => hit.render()),
    next_cursor: page.next_cursor,
    has_more: page.has_more,
    type: "page_or_data_source",
    page_or_data_source: {},
  };
  return { body };
};

function parseKindFilter(filter: unknown): "page" | "data_source" | undefined {
  if (filter === undefined) return undefined;
  if (!isRecord(filter)) throw bodyValidationError("body.filter should be an object.");
  if (filter["property"] === undefined) return undefined;
  if (filter["property"] !== "object") throw bodyValidationError('body.filter.property should be "object".');
  const value = filter["value"];
  if (value !== "page" && value !== "data_source") {
    throw bodyValidationError(
      `body.filter.value should be "page" or "data_source", instead was \`${JSON.stringify(value)}\`.`,
    );
  }
  return value;
}

// Without a sort Notion ranks by relevance; most recently edited first stands in for it.
function parseSort(sort: unknown): number {
  if (sort === undefined) return -1;
  if (!isRecord(sort)) throw bodyValidationError("body.sort should be an object.");
  if (sort["property"] === "relevance") return -1;
  if (sort["timestamp"] !== "last_edited_time")
    throw bodyValidationError('body.sort.timestamp should be "last_edited_time".');
  if (sort["direction"] !== "ascending" && sort["direction"] !== "descending") {
    throw bodyValidationError('body.sort.direction should be "ascending" or "descending".');
  }
  return sort["direction"] === "ascending" ? 1 : -1;
}

function everything(ctx: EmulatorContext): Hit[] {
  const { store, botRef } = ctx;
  const hits: Hit[] = [];
  for (const page of store.workspacePages.values()) {
    hits.push({ ...page, kind: "page", render: () => toWorkspacePageResponse(page, botRef) });
  }
  for (const ds of store.dataSources.values()) {
    const db = store.databases.get(ds.databaseId);
    if (db === undefined || db.inTrash) continue;
    const title = plainTextOf(ds.title);
    hits.push({
      id: ds.id,
      kind: "data_source",
      title,
      editedMs: ds.editedMs,
      seq: ds.seq,
      render: () => toDataSourceResponse(ds, db, botRef),
    });
    for (const row of store.rowsOf(ds.id)) {
      if (row.inTrash) continue;
      const response = () => toPageResponse(row, ds, botRef);
      const titleProp = ds.properties.find((p) => p.type === "title");
      const value = titleProp && row.values.get(titleProp.id);
      const rowTitle = value?.type === "title" ? plainTextOf(value.title) : "";
      hits.push({ id: row.id, kind: "page", title: rowTitle, editedMs: row.editedMs, seq: row.seq, render: response });
    }
  }
  return hits;
}
