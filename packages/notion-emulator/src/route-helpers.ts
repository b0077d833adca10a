import type { EmulatorContext } from "./emulator-context.js";
import { objectNotFound, validationError } from "./notion-api-error.js";
import { parseNotionId } from "./emulator-ids.js";
import { findProperty } from "./parse-page-properties.js";
import type { StoredDataSource, StoredDatabase } from "./store-types.js";

/** A path id in either form; a malformed one is Notion's path validation error. */
export function requirePathId(raw: string | undefined, name: string): string {
  const decoded = decodeURIComponent(raw ?? "");
  const id = parseNotionId(decoded);
  if (id === undefined) {
    throw validationError(
      `path failed validation: path.${name} should be a valid uuid, instead was \`${JSON.stringify(decoded)}\`.`,
    );
  }
  return id;
}

export function requireDataSource(ctx: EmulatorContext, id: string): { ds: StoredDataSource; db: StoredDatabase } {
  const ds = ctx.store.dataSources.get(id);
  const db = ds && ctx.store.databases.get(ds.databaseId);
  if (ds === undefined || db === undefined) throw objectNotFound("data_source", id);
  return { ds, db };
}

export function requireDatabase(ctx: EmulatorContext, id: string): StoredDatabase {
  const db = ctx.store.databases.get(id);
  if (db === undefined) throw objectNotFound("database", id);
  return db;
}

/** `filter_properties` (names or ids, repeated) as property ids; undefined means all. */
export function filterPropertyIds(query: URLSearchParams, ds: StoredDataSource): Set<string> | undefined {
  const wanted = query.getAll("filter_properties").flatMap((value) => value.split(","));
  if (wanted.length === 0) return undefined;
  return new Set(wanted.map((key) => findProperty(ds.properties, key)?.id ?? key));
}

/** A numeric query parameter, left as the raw string when it is not a number so validation can name it. */
export function numberParam(raw: string | null): unknown {
  if (raw === null) return undefined;
  const value = Number(raw);
  return Number.isNaN(value) ? raw : value;
}
