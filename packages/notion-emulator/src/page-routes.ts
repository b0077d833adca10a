import type { PageObjectResponse } from "@notionhq/client";
import type { EmulatorContext, RouteHandler } from "./emulator-context.js";
import { bodyValidationError, objectNotFound, validationError } from "./notion-api-error.js";
import { parseNotionId } from "./emulator-ids.js";
import { isRecord } from "./notion-types.js";
import { toPageResponse, toWorkspacePageResponse } from "./page-response.js";
import { filterPropertyIds, requireDataSource, requireDatabase, requirePathId } from "./route-helpers.js";
import type { StoredRow } from "./store-types.js";

function rowResponse(ctx: EmulatorContext, row: StoredRow, only?: ReadonlySet<string>): PageObjectResponse {
  const { ds } = requireDataSource(ctx, row.dataSourceId);
  return toPageResponse(row, ds, ctx.botRef, only);
}

/** Which data source a new page goes to: `data_source_id`, or a `database_id` with exactly one. */
function resolveParent(ctx: EmulatorContext, parent: unknown): string {
  if (!isRecord(parent)) throw bodyValidationError("body.parent should be an object.");
  const idOf = (key: string) => {
    const raw = parent[key];
    const id = typeof raw === "string" ? parseNotionId(raw) : undefined;
    if (id === undefined)
      throw bodyValidationError(`body.parent.${key} should be a valid uuid, instead was \`${JSON.stringify(raw)}\`.`);
    return id;
  };
  const type = parent["type"];
  if (parent["data_source_id"] !== undefined && (type === undefined || type === "data_source_id")) {
    return requireDataSource(ctx, idOf("data_source_id")).ds.id;
  }
  if (parent["database_id"] !== undefined && (type === undefined || type === "database_id")) {
    const db = requireDatabase(ctx, idOf("database_id"));
    const [only, ...others] = db.dataSourceIds;
    if (only === undefined || others.length > 0) {
      throw validationError(
        `Database ${db.id} has ${db.dataSourceIds.length} data sources; use a data_source_id parent.`,
      );
    }
    return only;
  }
  if (parent["page_id"] !== undefined || parent["workspace"] !== undefined) {
    throw validationError(
      "The Notion emulator only creates pages in data sources (parent.data_source_id or parent.database_id).",
    );
  }
  throw bodyValidationError("body.parent should define data_source_id, database_id, page_id or workspace.");
}

export const createPage: RouteHandler = (req, ctx) => {
  const dataSourceId = resolveParent(ctx, req.body["parent"]);
  ctx.blockLimit.checkCreate();
  const row = ctx.store.createRow(dataSourceId, req.body["properties"]);
  ctx.blockLimit.counted();
  return { body: rowResponse(ctx, row), committedResourceId: row.id };
};

export const getPage: RouteHandler = (req, ctx) => {
  const id = requirePathId(req.params[0], "page_id");
  const row = ctx.store.rows.get(id);
  if (row !== undefined) {
    const { ds } = requireDataSource(ctx, row.dataSourceId);
    return { body: rowResponse(ctx, row, filterPropertyIds(req.query, ds)) };
  }
  const page = ctx.store.workspacePages.get(id);
  if (page !== undefined) return { body: toWorkspacePageResponse(page, ctx.botRef) };
  throw objectNotFound("page", id);
};

export const updatePage: RouteHandler = (req, ctx) => {
  const id = requirePathId(req.params[0], "page_id");
  const row = ctx.store.rows.get(id);
  if (row === undefined) {
    if (ctx.store.workspacePages.has(id)) throw validationError("The Notion emulator cannot edit workspace pages.");
    throw objectNotFound("page", id);
  }
  const trash = readTrashFlag(req.body);
  ctx.store.updateRow(row, req.body["properties"], trash);
  return { body: rowResponse(ctx, row), committedResourceId: row.id };
};

// `archived` is the deprecated spelling of `in_trash`; both are accepted, but not disagreeing.
function readTrashFlag(body: Record<string, unknown>): boolean | undefined {
  const flags = (["in_trash", "archived", "is_archived"] as const).filter((key) => body[key] !== undefined);
  for (const key of flags) {
    if (typeof body[key] !== "boolean") throw bodyValidationError(`body.${key} should be a boolean.`);
  }
  const values = new Set(flags.map((key) => body[key] as boolean));
  if (values.size > 1) throw validationError("in_trash and archived disagree.");
  const [value] = values;
  return value;
}
