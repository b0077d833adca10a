import type { RouteHandler } from "./emulator-context.js";
import { toDatabaseResponse } from "./database-response.js";
import { bodyValidationError, validationError } from "./notion-api-error.js";
import { parseNotionId } from "./emulator-ids.js";
import { isRecord } from "./notion-types.js";
import { requireDatabase, requirePathId } from "./route-helpers.js";
import { parseRichTextArray } from "./rich-text.js";
import type { DatabaseParent } from "./store-types.js";

export const getDatabase: RouteHandler = (req, ctx) => {
  const id = requirePathId(req.params[0], "database_id");
  // Notion tells a page id pasted where a database id belongs apart from an unknown id.
  if (ctx.store.workspacePages.has(id) || ctx.store.rows.has(id)) {
    throw validationError(
      `Provided ID ${id} is a page, not a database. Use the retrieve page API instead, \`/v1/pages/${id}\`.`,
    );
  }
  const db = requireDatabase(ctx, id);
  const dataSources = db.dataSourceIds.flatMap((id) => ctx.store.dataSources.get(id) ?? []);
  return { body: toDatabaseResponse(db, dataSources) };
};

export const createDatabase: RouteHandler = (req, ctx) => {
  const parent = parseParent(req.body["parent"]);
  const rawTitle = req.body["title"];
  const title = rawTitle === undefined ? [] : parseRichTextArray(rawTitle, "body.title");
  const initial = req.body["initial_data_source"];
  if (initial !== undefined && !isRecord(initial))
    throw bodyValidationError("body.initial_data_source should be an object.");
  ctx.blockLimit.checkCreate();
  const { database, dataSource } = ctx.store.createDatabase({ parent, title, properties: initial?.["properties"] });
  ctx.blockLimit.counted();
  return { body: toDatabaseResponse(database, [dataSource]) };
};

function parseParent(raw: unknown): DatabaseParent {
  if (!isRecord(raw)) throw bodyValidationError("body.parent should be an object.");
  if (raw["type"] === "workspace" || raw["workspace"] === true) {
    throw validationError(
      "The Notion emulator's integration cannot create databases at the workspace level; use a page_id parent.",
    );
  }
  const pageId = typeof raw["page_id"] === "string" ? parseNotionId(raw["page_id"]) : undefined;
  if (pageId === undefined) {
    throw bodyValidationError(
      `body.parent.page_id should be a valid uuid, instead was \`${JSON.stringify(raw["page_id"])}\`.`,
    );
  }
  return { type: "page_id", pageId };
}
