import { listBlockChildren } from "./block-routes.js";
import { getDataSource, queryDataSource, updateDataSource } from "./data-source-routes.js";
import { createDatabase, getDatabase } from "./database-routes.js";
import type { RouteHandler } from "./emulator-context.js";
import { createPage, getPage, updatePage } from "./page-routes.js";
import { search } from "./search-route.js";
import { getSelf, getUser, listUsers } from "./user-routes.js";

const ID = "([^/]+)";

/** The endpoints the emulator serves; anything else is Notion's invalid_request_url. */
const ROUTES: ReadonlyArray<{ method: string; pattern: RegExp; handler: RouteHandler }> = [
  { method: "GET", pattern: /^\/v1\/users\/me$/, handler: getSelf },
  { method: "GET", pattern: /^\/v1\/users$/, handler: listUsers },
  { method: "GET", pattern: new RegExp(`^/v1/users/${ID}$`), handler: getUser },
  { method: "POST", pattern: /^\/v1\/databases$/, handler: createDatabase },
  { method: "GET", pattern: new RegExp(`^/v1/databases/${ID}$`), handler: getDatabase },
  { method: "GET", pattern: new RegExp(`^/v1/data_sources/${ID}$`), handler: getDataSource },
  { method: "PATCH", pattern: new RegExp(`^/v1/data_sources/${ID}$`), handler: updateDataSource },
  { method: "POST", pattern: new RegExp(`^/v1/data_sources/${ID}/query$`), handler: queryDataSource },
  { method: "POST", pattern: /^\/v1\/pages$/, handler: createPage },
  { method: "GET", pattern: new RegExp(`^/v1/pages/${ID}$`), handler: getPage },
  { method: "PATCH", pattern: new RegExp(`^/v1/pages/${ID}$`), handler: updatePage },
  { method: "POST", pattern: /^\/v1\/search$/, handler: search },
  { method: "GET", pattern: new RegExp(`^/v1/blocks/${ID}/children$`), handler: listBlockChildren },
];

export function matchRoute(method: string, path: string): { handler: RouteHandler; params: string[] } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { handler: route.handler, params: match.slice(1) };
  }
  return undefined;
}
