import type {
  ChildDatabaseBlockObjectResponse,
  DataSourceObjectResponse,
  DatabaseObjectResponse,
  PartialUserObjectResponse,
} from "@notionhq/client";
import { toNotionTimestamp } from "./date-value.js";
import { compactId } from "./emulator-ids.js";
import { plainTextOf } from "./rich-text.js";
import type { DatabaseParent, StoredDataSource, StoredDatabase } from "./store-types.js";

function parentOf(parent: DatabaseParent): DatabaseObjectResponse["parent"] {
  return parent.type === "page_id"
    ? { type: "page_id", page_id: parent.pageId }
    : { type: "workspace", workspace: true };
}

export function toDatabaseResponse(
  db: StoredDatabase,
  dataSources: ReadonlyArray<StoredDataSource>,
): DatabaseObjectResponse {
  return {
    object: "database",
    id: db.id,
    title: db.title,
    description: [],
    parent: parentOf(db.parent),
    is_inline: false,
    in_trash: db.inTrash,
    archived: db.inTrash,
    is_locked: false,
    created_time: toNotionTimestamp(db.createdMs),
    last_edited_time: toNotionTimestamp(db.editedMs),
    data_sources: dataSources.map((ds) => ({ id: ds.id, name: plainTextOf(ds.title) })),
    icon: null,
    cover: null,
    url: `https://www.notion.so/${compactId(db.id)}`,
    public_url: null,
  };
}

export function toDataSourceResponse(
  ds: StoredDataSource,
  db: StoredDatabase,
  bot: PartialUserObjectResponse,
): DataSourceObjectResponse {
  return {
    object: "data_source",
    id: ds.id,
    title: ds.title,
    description: [],
    parent: { type: "database_id", database_id: db.id },
    database_parent: parentOf(db.parent),
    is_inline: false,
    in_trash: db.inTrash,
    archived: db.inTrash,
    created_time: toNotionTimestamp(ds.createdMs),
    last_edited_time: toNotionTimestamp(ds.editedMs),
    created_by: bot,
    last_edited_by: bot,
    properties: Object.fromEntries(ds.properties.map((prop) => [prop.name, structuredClone(prop)])),
    icon: null,
    cover: null,
    url: `https://www.notion.so/${compactId(db.id)}`,
    public_url: null,
  };
}

/** The block a database shows as inside its parent page; Notion gives it the database's id. */
export function toChildDatabaseBlock(
  db: StoredDatabase,
  bot: PartialUserObjectResponse,
): ChildDatabaseBlockObjectResponse {
  return {
    object: "block",
    id: db.id,
    type: "child_database",
    child_database: { title: plainTextOf(db.title) },
    parent: parentOf(db.parent),
    created_time: toNotionTimestamp(db.createdMs),
    last_edited_time: toNotionTimestamp(db.editedMs),
    created_by: bot,
    last_edited_by: bot,
    has_children: false,
    in_trash: db.inTrash,
    archived: db.inTrash,
  };
}
