import type { ListBlockChildrenResponse } from "@notionhq/client";
import { toChildDatabaseBlock } from "./database-response.js";
import type { RouteHandler } from "./emulator-context.js";
import { objectNotFound } from "./notion-api-error.js";
import { paginate, parsePageSize } from "./paginate.js";
import { numberParam, requirePathId } from "./route-helpers.js";

/**
 * GET /v1/blocks/{id}/children. Workspace pages hold the databases created under
 * them, as child_database blocks; data source rows have no content here.
 */
export const listBlockChildren: RouteHandler = (req, ctx) => {
  const id = requirePathId(req.params[0], "block_id");
  const { store } = ctx;
  if (!store.workspacePages.has(id) && !store.rows.has(id)) throw objectNotFound("block", id);
  const children = [...store.databases.values()]
    .filter((db) => db.parent.type === "page_id" && db.parent.pageId === id && !db.inTrash)
    .sort((a, b) => a.seq - b.seq);
  const page = paginate(children, {
    codec: ctx.cursors,
    scope: `children:${id}`,
    startCursor: req.query.get("start_cursor") ?? undefined,
    pageSize: parsePageSize(numberParam(req.query.get("page_size")), "query.page_size"),
  });
  const body: ListBlockChildrenResponse = {
    object: "list",
    results: page.results.map((db) => toChildDatabaseBlock(db, ctx.botRef)),
    next_cursor: page.next_cursor,
    has_more: page.has_more,
    type: "block",
    block: {},
  };
  return { body };
};
