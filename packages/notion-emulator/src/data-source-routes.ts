import { createHash } from "node:crypto";
import type { QueryDataSourceResponse } from "@notionhq/client";
import { compileFilter } from "./compile-filter.js";
import { compileSorts } from "./compile-sorts.js";
import { toDataSourceResponse } from "./database-response.js";
import type { RouteHandler } from "./emulator-context.js";
import { bodyValidationError } from "./notion-api-error.js";
import { isRecord } from "./notion-types.js";
import { toPageResponse } from "./page-response.js";
import { paginate, parsePageSize } from "./paginate.js";
import { filterPropertyIds, requireDataSource, requirePathId } from "./route-helpers.js";
import type { StoredDataSource } from "./store-types.js";

export const getDataSource: RouteHandler = (req, ctx) => {
  const { ds, db } = requireDataSource(ctx, requirePathId(req.params[0], "data_source_id"));
  return { body: toDataSourceResponse(ds, db, ctx.botRef) };
};

export const updateDataSource: RouteHandler = (req, ctx) => {
  const { ds, db } = requireDataSource(ctx, requirePathId(req.params[0], "data_source_id"));
  const changes = req.body["properties"];
  if (changes !== undefined && !isRecord(changes)) throw bodyValidationError("body.properties should be an object.");
  ctx.store.updateSchema(ds.id, changes ?? {});
  return { body: toDataSourceResponse(ds, db, ctx.botRef) };
};

function titleIds(ds: StoredDataSource): Set<string> {
  return new Set(ds.properties.filter((prop) => prop.type === "title").map((prop) => prop.id));
}

export const queryDataSource: RouteHandler = (req, ctx) => {
  const { ds } = requireDataSource(ctx, requirePathId(req.params[0], "data_source_id"));
  const { filter, sorts, start_cursor: startCursor } = req.body;
  const pageSize = parsePageSize(req.body["page_size"], "body.page_size");
  const predicate = compileFilter(filter, { properties: ds.properties, nowMs: ctx.store.now(), botUserId: ctx.bot.id });
  const compare = compileSorts(sorts, ds.properties);
  const indexedBefore = ctx.store.now() - ctx.queryIndexLagMs;
  const matching = ctx.store
    .rowsOf(ds.id)
    .filter((row) => !row.inTrash && (ctx.queryIndexLagMs === 0 || row.createdMs <= indexedBefore) && predicate(row));
  matching.sort(compare);
  // A cursor belongs to one query: the same data source, filter and sorts.
  const scope = createHash("sha256")
    .update(JSON.stringify([ds.id, filter ?? null, sorts ?? null]))
    .digest("base64url");
  const page = paginate(matching, {
    codec: ctx.cursors,
    scope,
    startCursor,
    pageSize,
    maxResults: ctx.maxResultsPerQuery,
    reportIncompleteOn: ctx.reportIncompleteOn,
  });
  const only = filterPropertyIds(req.query, ds) ?? (ctx.titleOnlyUnlessFilterProperties ? titleIds(ds) : undefined);
  const body: QueryDataSourceResponse = {
    object: "list",
    results: page.results.map((row) => toPageResponse(row, ds, ctx.botRef, only)),
    next_cursor: page.next_cursor,
    has_more: page.has_more,
    type: "page_or_data_source",
    page_or_data_source: {},
  };
  if (page.request_status !== undefined) body.request_status = page.request_status;
  return { body };
};
