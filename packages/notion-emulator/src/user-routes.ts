import type { ListUsersResponse } from "@notionhq/client";
import { visibleUser } from "./bot-user.js";
import type { RouteHandler } from "./emulator-context.js";
import { NotionApiError, objectNotFound } from "./notion-api-error.js";
import { paginate, parsePageSize } from "./paginate.js";
import { numberParam, requirePathId } from "./route-helpers.js";

export const getSelf: RouteHandler = (_req, ctx) => ({ body: ctx.bot });

function requireUserInformation(readUserInformation: boolean): void {
  if (!readUserInformation) {
    throw new NotionApiError(403, "restricted_resource", "Insufficient permissions for this endpoint.");
  }
}

export const getUser: RouteHandler = (req, ctx) => {
  requireUserInformation(ctx.readUserInformation);
  const id = requirePathId(req.params[0], "user_id");
  const user = id === ctx.bot.id ? ctx.bot : ctx.store.users.get(id);
  if (user === undefined) throw objectNotFound("user", id);
  return { body: visibleUser(user, ctx.userInformation) };
};

export const listUsers: RouteHandler = (req, ctx) => {
  requireUserInformation(ctx.readUserInformation);
  const users = [...ctx.store.users.values(), ctx.bot].map((user) => visibleUser(user, ctx.userInformation));
  const page = paginate(users, {
    codec: ctx.cursors,
    scope: "users",
    startCursor: req.query.get("start_cursor") ?? undefined,
    pageSize: parsePageSize(numberParam(req.query.get("page_size")), "query.page_size"),
  });
  const body: ListUsersResponse = {
    object: "list",
    results: page.results,
    next_cursor: page.next_cursor,
    has_more: page.has_more,
    type: "user",
    user: {},
  };
  return { body };
};
