import type { RichTextItemResponse, UserObjectResponse } from "@notionhq/client";
import { visibleUser } from "./bot-user.js";
import { applySchemaChanges, buildInitialSchema } from "./database-schema.js";
import { validationError } from "./notion-api-error.js";
import { newNotionId } from "./emulator-ids.js";
import { parsePageProperties } from "./parse-page-properties.js";
import type { ValueContext } from "./parse-property-value.js";
import { addSyncedProperties, syncDualRelations } from "./sync-dual-relations.js";
import type {
  DatabaseParent,
  StoredDataSource,
  StoredDatabase,
  StoredRow,
  StoredWorkspacePage,
} from "./store-types.js";

export type EmulatorStore = ReturnType<typeof createEmulatorStore>;

export type RowTimes = { createdMs?: number; editedMs?: number };

/**
 * The emulator's workspace in memory. Every write validates the whole request
 * first and mutates only after, so a rejected request leaves no trace.
 */
export function createEmulatorStore(
  opts: { now?: () => number; dateTimesToTheMinute?: boolean; readUserInformation?: boolean } = {},
) {
  const now = opts.now ?? Date.now;
  const workspacePages = new Map<string, StoredWorkspacePage>();
  const databases = new Map<string, StoredDatabase>();
  const dataSources = new Map<string, StoredDataSource>();
  const rows = new Map<string, StoredRow>();
  const rowsByDataSource = new Map<string, StoredRow[]>();
  const users = new Map<string, UserObjectResponse>();
  let seq = 0;

  const findDataSourceRef = (id: string) => {
    const ds = dataSources.get(id);
    return ds && { id: ds.id, databaseId: ds.databaseId };
  };

  const valueContext: ValueContext = {
    dateTimesToTheMinute: opts.dateTimesToTheMinute ?? false,
    pageExists: (dataSourceId, pageId) => {
      const row = rows.get(pageId);
      return row !== undefined && row.dataSourceId === dataSourceId && !row.inTrash;
    },
    // People values in pages carry no email: an email is read with GET /v1/users/{id}, capability permitting.
    findUser: (id) => {
      const user = opts.readUserInformation === false ? undefined : users.get(id);
      return user === undefined ? undefined : visibleUser(user, "without_email");
    },
  };

  function requireDataSource(id: string): StoredDataSource {
    const ds = dataSources.get(id);
    if (ds === undefined) throw validationError(`Data source ${id} does not exist.`);
    return ds;
  }

  function applyOptions(ds: StoredDataSource, newOptions: ReturnType<typeof parsePageProperties>["newOptions"]): void {
    if (newOptions.size === 0) return;
    ds.properties = ds.properties.map((prop) => {
      const added = newOptions.get(prop.id);
      if (added === undefined) return prop;
      if (prop.type === "select") return { ...prop, select: { options: [...prop.select.options, ...added] } };
      if (prop.type === "multi_select")
        return { ...prop, multi_select: { options: [...prop.multi_select.options, ...added] } };
      return prop;
    });
    ds.editedMs = now();
  }

  return {
    now,
    valueContext,
    workspacePages,
    databases,
    dataSources,
    rows,
    users,

    addUser(user: UserObjectResponse): void {
      users.set(user.id, user);
    },

    createWorkspacePage(title: string): StoredWorkspacePage {
      const at = now();
      const page = { id: newNotionId(), title, createdMs: at, editedMs: at, seq: ++seq };
      workspacePages.set(page.id, page);
      return page;
    },

    createDatabase(input: { parent: DatabaseParent; title: RichTextItemResponse[]; properties: unknown }) {
      if (input.parent.type === "page_id" && !workspacePages.has(input.parent.pageId)) {
        throw validationError(`Parent page ${input.parent.pageId} does not exist or cannot hold a database.`);
      }
      const properties = buildInitialSchema(input.properties, findDataSourceRef);
      const at = now();
      const database: StoredDatabase = {
        id: newNotionId(),
        parent: input.parent,
        title: input.title,
        dataSourceIds: [],
        createdMs: at,
        editedMs: at,
        inTrash: false,
        seq: ++seq,
      };
      const dataSource: StoredDataSource = {
        id: newNotionId(),
        databaseId: database.id,
        title: input.title,
        properties,
        createdMs: at,
        editedMs: at,
        seq: ++seq,
      };
      database.dataSourceIds.push(dataSource.id);
      databases.set(database.id, database);
      dataSources.set(dataSource.id, dataSource);
      rowsByDataSource.set(dataSource.id, []);
      addSyncedProperties(dataSource, properties, requireDataSource);
      return { database, dataSource };
    },

    updateSchema(dataSourceId: string, changes: Record<string, unknown>, opts: { allowMissingTitle?: boolean } = {}) {
      const ds = requireDataSource(dataSourceId);
      const before = new Set(ds.properties.map((p) => p.id));
      ds.properties = applySchemaChanges(ds.properties, changes, findDataSourceRef, opts);
      ds.editedMs = now();
      addSyncedProperties(
        ds,
        ds.properties.filter((p) => !before.has(p.id)),
        requireDataSource,
      );
      return ds;
    },

    rowsOf(dataSourceId: string): ReadonlyArray<StoredRow> {
      return rowsByDataSource.get(dataSourceId) ?? [];
    },

    createRow(dataSourceId: string, rawProperties: unknown, times: RowTimes = {}): StoredRow {
      const ds = requireDataSource(dataSourceId);
      const parsed = parsePageProperties(ds.properties, rawProperties, valueContext);
      applyOptions(ds, parsed.newOptions);
      const createdMs = times.createdMs ?? now();
      const row: StoredRow = {
        id: newNotionId(),
        dataSourceId,
        seq: ++seq,
        createdMs,
        editedMs: times.editedMs ?? createdMs,
        inTrash: false,
        values: new Map(),
      };
      rows.set(row.id, row);
      rowsByDataSource.get(dataSourceId)?.push(row);
      syncDualRelations(row, parsed.values, { dataSources, rows, editedMs: row.editedMs });
      for (const [id, value] of parsed.values) row.values.set(id, value);
      return row;
    },

    updateRow(row: StoredRow, rawProperties: unknown, inTrash: boolean | undefined): StoredRow {
      if (row.inTrash && inTrash !== false && rawProperties !== undefined) {
        throw validationError("Can't edit block that is archived. You must unarchive the block before editing.");
      }
      const ds = requireDataSource(row.dataSourceId);
      const parsed = parsePageProperties(ds.properties, rawProperties, valueContext);
      applyOptions(ds, parsed.newOptions);
      const at = now();
      syncDualRelations(row, parsed.values, { dataSources, rows, editedMs: at });
      for (const [id, value] of parsed.values) row.values.set(id, value);
      if (inTrash !== undefined) row.inTrash = inTrash;
      row.editedMs = at;
      return row;
    },
  };
}
