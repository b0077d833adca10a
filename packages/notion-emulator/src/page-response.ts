import type { PageObjectResponse, PartialUserObjectResponse } from "@notionhq/client";
import { toNotionTimestamp } from "./date-value.js";
import { compactId } from "./emulator-ids.js";
import { emptyValue, isValuePropertyType } from "./notion-types.js";
import { plainTextOf, textRun } from "./rich-text.js";
import type { StoredDataSource, StoredRow, StoredWorkspacePage } from "./store-types.js";

type PagePropertyResponse = PageObjectResponse["properties"][string];

const MAX_RELATIONS_IN_PAGE = 25;

/**
 * A data source row as Notion answers it: every schema property present, empty
 * ones in their empty form. `only` (property ids) mirrors `filter_properties`.
 */
export function toPageResponse(
  row: StoredRow,
  ds: StoredDataSource,
  bot: PartialUserObjectResponse,
  only?: ReadonlySet<string>,
): PageObjectResponse {
  const properties: Record<string, PagePropertyResponse> = {};
  let title = "";
  for (const prop of ds.properties) {
    if (!isValuePropertyType(prop.type)) continue;
    const stored = row.values.get(prop.id);
    const value = stored?.type === prop.type ? stored : emptyValue(prop.type);
    if (value.type === "title") title = plainTextOf(value.title);
    if (only !== undefined && !only.has(prop.id)) continue;
    properties[prop.name] =
      value.type === "relation" ? relationResponse(prop.id, value.relation) : { id: prop.id, ...value };
  }
  return {
    object: "page",
    id: row.id,
    created_time: toNotionTimestamp(row.createdMs),
    last_edited_time: toNotionTimestamp(row.editedMs),
    created_by: bot,
    last_edited_by: bot,
    cover: null,
    icon: null,
    parent: { type: "data_source_id", data_source_id: ds.id, database_id: ds.databaseId },
    in_trash: row.inTrash,
    archived: row.inTrash,
    is_archived: row.inTrash,
    is_locked: false,
    properties,
    url: pageUrl(title, row.id),
    public_url: null,
  };
}

// Page objects carry at most 25 related ids; the rest needs the page property endpoint.
function relationResponse(id: string, relation: Array<{ id: string }>): PagePropertyResponse {
  const shown = relation.slice(0, MAX_RELATIONS_IN_PAGE);
  return { id, type: "relation", relation: shown, ...{ has_more: relation.length > shown.length } };
}

/** A top-level workspace page (a database parent): only its title property. */
export function toWorkspacePageResponse(page: StoredWorkspacePage, bot: PartialUserObjectResponse): PageObjectResponse {
  return {
    object: "page",
    id: page.id,
    created_time: toNotionTimestamp(page.createdMs),
    last_edited_time: toNotionTimestamp(page.editedMs),
    created_by: bot,
    last_edited_by: bot,
    cover: null,
    icon: null,
    parent: { type: "workspace", workspace: true },
    in_trash: false,
    archived: false,
    is_archived: false,
    is_locked: false,
    properties: { title: { id: "title", type: "title", title: [textRun(page.title)] } },
    url: pageUrl(page.title, page.id),
    public_url: null,
  };
}

// Notion page URLs are the title's words joined by dashes, then the compact id.
export function pageUrl(title: string, id: string): string {
  const slug = title.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "");
  return `https://www.notion.so/${slug === "" ? "" : `${slug}-`}${compactId(id)}`;
}
