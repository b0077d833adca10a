import type { PageObjectResponse } from "@notionhq/client";
import { createPersonUser } from "./bot-user.js";
import type { EmulatorContext } from "./emulator-context.js";
import { validationError } from "./notion-api-error.js";
import { parseNotionId } from "./emulator-ids.js";
import type { PagePropertiesRequest, PropertyConfigRequest } from "./notion-types.js";
import { toPageResponse, toWorkspacePageResponse } from "./page-response.js";
import { textRun } from "./rich-text.js";
import type { StoredRow } from "./store-types.js";

export type DatabaseIds = { databaseId: string; dataSourceId: string };
/**
 * One database for seedDatabases. `properties` may be a function of the data
 * source ids seeded before it, for a relation's `data_source_id`.
 */
export type SeedDatabase<Name extends string = string> = {
  title: string;
  properties:
    | Record<string, PropertyConfigRequest>
    | ((dataSourceIdOf: (name: Name) => string) => Record<string, PropertyConfigRequest>);
};
/** The workspace page seedDatabases created, and each seeded database under the name it was given. */
export type SeededDatabases<Name extends string> = { parentPageId: string } & Record<Name, DatabaseIds>;
export type Timestamp = string | number | Date;

/** Direct access to the workspace for tests and the demo: no HTTP, no rate limit, same validation. */
export type EmulatorAdmin = {
  /** A top-level page that can parent databases. */
  createWorkspacePage(title: string): string;
  createDatabase(input: {
    parentPageId?: string;
    title: string;
    properties: Record<string, PropertyConfigRequest>;
  }): DatabaseIds;
  /** Validated like POST /v1/pages; throws the NotionApiError the API would answer. */
  insertPage(
    dataSourceId: string,
    properties: PagePropertiesRequest,
    times?: { createdTime?: Timestamp; lastEditedTime?: Timestamp },
  ): PageObjectResponse;
  getPage(id: string): PageObjectResponse | undefined;
  /** Pages not in the trash, oldest first. */
  listPages(dataSourceId: string): PageObjectResponse[];
  /** A person's edit in the Notion app: validated like PATCH /v1/pages, but not counted against the integration's rate limit. */
  updatePage(pageId: string, properties: PagePropertiesRequest): PageObjectResponse;
  /** A database's (first) data source. */
  dataSourceOf(databaseId: string): string;
  /** Adds, replaces or (with null) deletes a schema property; may break the schema on purpose. */
  updateProperty(dataSourceId: string, name: string, config: PropertyConfigRequest | { name: string } | null): void;
  /**
   * A person user that people properties can hold; its email is `email`, or
   * one made from the name. GET /v1/users shows the email only when the
   * emulator has the `userInformation: "with_email"` capability.
   */
  addUser(name: string, opts?: { email?: string }): string;
  /**
   * Creates the given databases, in the object's key order, under one new
   * workspace page (titled "CRM" unless told). The emulator knows no schema of
   * its own: the caller passes the definitions, as POST /v1/databases takes them.
   */
  seedDatabases<Name extends string>(
    databases: Readonly<Record<Name, SeedDatabase<Name>>>,
    opts?: { parentTitle?: string },
  ): SeededDatabases<Name>;
  /**
   * The Free plan's block limit: after `creates` more creates through the API,
   * POST /v1/pages and POST /v1/databases answer 403 `restricted_resource`;
   * reads and edits go on. 0 refuses the next create.
   */
  limitBlocks(creates: number): void;
  /** The workspace was upgraded: creates work again. */
  liftBlockLimit(): void;
};

export function createEmulatorAdmin(ctx: EmulatorContext): EmulatorAdmin {
  const { store } = ctx;
  const render = (row: StoredRow) => {
    const ds = store.dataSources.get(row.dataSourceId);
    if (ds === undefined) throw validationError(`Data source ${row.dataSourceId} does not exist.`);
    // A copy, so a test that edits what it got cannot reach into the store.
    return structuredClone(toPageResponse(row, ds, ctx.botRef));
  };
  const idOf = (raw: string) => parseNotionId(raw) ?? raw;

  const admin: EmulatorAdmin = {
    createWorkspacePage: (title) => store.createWorkspacePage(title).id,
    createDatabase({ parentPageId, title, properties }) {
      const parent =
        parentPageId === undefined
          ? ({ type: "workspace" } as const)
          : { type: "page_id" as const, pageId: idOf(parentPageId) };
      const { database, dataSource } = store.createDatabase({ parent, title: [textRun(title)], properties });
      return { databaseId: database.id, dataSourceId: dataSource.id };
    },
    insertPage(dataSourceId, properties, times = {}) {
      const row = store.createRow(idOf(dataSourceId), properties, {
        ...(times.createdTime === undefined ? {} : { createdMs: toMs(times.createdTime) }),
        ...(times.lastEditedTime === undefined ? {} : { editedMs: toMs(times.lastEditedTime) }),
      });
      return render(row);
    },
    getPage(id) {
      const row = store.rows.get(idOf(id));
      if (row !== undefined) return render(row);
      const page = store.workspacePages.get(idOf(id));
      return page === undefined ? undefined : toWorkspacePageResponse(page, ctx.botRef);
    },
    listPages: (dataSourceId) =>
      store
        .rowsOf(idOf(dataSourceId))
        .filter((row) => !row.inTrash)
        .map(render),
    updatePage(pageId, properties) {
      const row = store.rows.get(idOf(pageId));
      if (row === undefined) throw validationError(`Page ${pageId} does not exist.`);
      return render(store.updateRow(row, properties, undefined));
    },
    dataSourceOf(databaseId) {
      const first = store.databases.get(idOf(databaseId))?.dataSourceIds[0];
      if (first === undefined) throw validationError(`Database ${databaseId} does not exist.`);
      return first;
    },
    updateProperty(dataSourceId, name, config) {
      store.updateSchema(idOf(dataSourceId), { [name]: config }, { allowMissingTitle: true });
    },
    addUser(name, opts = {}) {
      const user = createPersonUser(name, opts.email);
      store.addUser(user);
      return user.id;
    },
    seedDatabases<Name extends string>(
      databases: Readonly<Record<Name, SeedDatabase<Name>>>,
      { parentTitle = "CRM" }: { parentTitle?: string } = {},
    ) {
      const names = Object.keys(databases) as Name[];
      if ((names as string[]).includes("parentPageId"))
        throw new Error('"parentPageId" cannot name a seeded database.');
      const parentPageId = admin.createWorkspacePage(parentTitle);
      const seeded = new Map<Name, DatabaseIds>();
      const dataSourceIdOf = (name: Name) => {
        const ids = seeded.get(name);
        if (ids === undefined) throw new Error(`Seed "${name}" before the databases that refer to it.`);
        return ids.dataSourceId;
      };
      for (const name of names) {
        const { title, properties } = databases[name];
        const resolved = typeof properties === "function" ? properties(dataSourceIdOf) : properties;
        seeded.set(name, admin.createDatabase({ parentPageId, title, properties: resolved }));
      }
      return { parentPageId, ...Object.fromEntries(seeded) } as SeededDatabases<Name>;
    },
    limitBlocks: (creates) => ctx.blockLimit.limitAfter(creates),
    liftBlockLimit: () => ctx.blockLimit.lift(),
  };
  return admin;
}

function toMs(value: Timestamp): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value);
  if (Number.isNaN(ms)) throw validationError(`Not a timestamp: ${String(value)}`);
  return ms;
}
