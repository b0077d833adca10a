import type { CrmSchemaReport } from "./check-crm-schema.js";
import type { CrmDatabase } from "../crm-schema/crm-schema.js";

/**
 * The ids of the named properties of a checked database, for a query's
 * `filter_properties`. From Notion-Version 2026-12-01 a data source query
 * returns only each page's title unless it names the properties it reads, so
 * every query names them now (Notion says it also makes lists faster).
 * Properties the database lacks (an optional one) are left out.
 */
export function propertyIdsOf(
  schema: Pick<CrmSchemaReport, "properties">,
  database: CrmDatabase,
  names: readonly string[],
): string[] {
  const properties = schema.properties[database] ?? {};
  return names.flatMap((name) => {
    const id = properties[name]?.id;
    return id === undefined ? [] : [id];
  });
}

/** A title property's id is always "title" in Notion. */
export const TITLE_PROPERTY_ID = "title";
