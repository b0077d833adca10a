import { freshPropertyId, syncedPropertyName } from "./database-schema.js";
import type { PropertyConfigResponse, PropertyValue } from "./notion-types.js";
import type { StoredDataSource, StoredRow } from "./store-types.js";

/**
 * Mirrors a two-way relation write onto the related pages, as Notion does:
 * adding B to A's relation adds A to B's synced property, removing removes it.
 * Call before the new values replace the row's old ones.
 */
export function syncDualRelations(
  row: StoredRow,
  newValues: ReadonlyMap<string, PropertyValue>,
  ctx: { dataSources: ReadonlyMap<string, StoredDataSource>; rows: ReadonlyMap<string, StoredRow>; editedMs: number },
): void {
  const schema = ctx.dataSources.get(row.dataSourceId)?.properties ?? [];
  for (const [propertyId, value] of newValues) {
    if (value.type !== "relation") continue;
    const prop = schema.find((p) => p.id === propertyId);
    if (prop?.type !== "relation" || prop.relation.type !== "dual_property") continue;
    const syncedId = prop.relation.dual_property.synced_property_id;
    const previous = row.values.get(propertyId);
    const before = new Set(previous?.type === "relation" ? previous.relation.map((r) => r.id) : []);
    const after = new Set(value.relation.map((r) => r.id));
    for (const id of before) if (!after.has(id)) editRelation(ctx.rows.get(id), syncedId, row.id, false, ctx.editedMs);
    for (const id of after) if (!before.has(id)) editRelation(ctx.rows.get(id), syncedId, row.id, true, ctx.editedMs);
  }
}

function editRelation(
  target: StoredRow | undefined,
  propertyId: string,
  pageId: string,
  add: boolean,
  editedMs: number,
) {
  if (target === undefined) return;
  const current = target.values.get(propertyId);
  const ids = current?.type === "relation" ? current.relation.filter((r) => r.id !== pageId) : [];
  if (add) ids.push({ id: pageId });
  target.values.set(propertyId, { type: "relation", relation: ids });
  target.editedMs = editedMs;
}

/**
 * Notion adds the far side of a two-way relation to the related data source;
 * this names it (uniquely there) and records its id on the near side.
 */
export function addSyncedProperties(
  source: StoredDataSource,
  props: ReadonlyArray<PropertyConfigResponse>,
  requireDataSource: (id: string) => StoredDataSource,
): void {
  for (const prop of props) {
    if (prop.type !== "relation" || prop.relation.type !== "dual_property") continue;
    const target = requireDataSource(prop.relation.data_source_id);
    const synced = prop.relation.dual_property;
    synced.synced_property_id = freshPropertyId(target.properties);
    synced.synced_property_name = syncedPropertyName(synced.synced_property_name, target.properties);
    const back: PropertyConfigResponse = {
      id: synced.synced_property_id,
      name: synced.synced_property_name,
      description: null,
      type: "relation",
      relation: {
        data_source_id: source.id,
        database_id: source.databaseId,
        type: "dual_property",
        dual_property: { synced_property_id: prop.id, synced_property_name: prop.name },
      },
    };
    target.properties = [...target.properties, back];
  }
}
