import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NotionEmulator } from "../src/index.js";
import { seedCrm } from "./crm-fixture.js";
import { apiError, sdkFor, startEmulator } from "./emulator-test-kit.js";

describe("databases and data sources", () => {
  let emulator: NotionEmulator;
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(() => emulator.stop());

  it("retrieves a seeded database with its one data source", async () => {
    const seed = seedCrm(emulator);
    const db = await sdkFor(emulator).databases.retrieve({ database_id: seed.deals.databaseId });
    expect(db).toMatchObject({
      object: "database",
      id: seed.deals.databaseId,
      parent: { type: "page_id", page_id: seed.parentPageId },
      data_sources: [{ id: seed.deals.dataSourceId, name: "Deals" }],
      in_trash: false,
      is_inline: false,
    });
  });

  it("retrieves a data source with its properties keyed by name", async () => {
    const seed = seedCrm(emulator);
    const ds = await sdkFor(emulator).dataSources.retrieve({ data_source_id: seed.contacts.dataSourceId });
    if (!("title" in ds)) throw new Error("expected a full data source");
    expect(ds.parent).toEqual({ type: "database_id", database_id: seed.contacts.databaseId });
    expect(Object.keys(ds.properties)).toEqual([
      "Name",
      "Email",
      "Company",
      "Status",
      "Source",
      "Last Contacted",
      "Notes",
    ]);
    expect(ds.properties["Name"]).toMatchObject({ id: "title", name: "Name", type: "title", title: {} });
    const status = ds.properties["Status"];
    if (status?.type !== "select") throw new Error("Status should be a select");
    expect(status.select.options.map((o) => o.name)).toEqual([
      "new lead",
      "contacted",
      "qualified",
      "customer",
      "lost",
    ]);
    expect(status.select.options[0]).toEqual({
      id: expect.any(String),
      name: "new lead",
      color: expect.any(String),
      description: null,
    });
    const activities = await sdkFor(emulator).dataSources.retrieve({ data_source_id: seed.activities.dataSourceId });
    expect(activities.properties["Contact"]).toMatchObject({
      type: "relation",
      relation: {
        data_source_id: seed.contacts.dataSourceId,
        database_id: seed.contacts.databaseId,
        type: "single_property",
      },
    });
  });

  it("creates a database under a workspace page and lists it among the page's children", async () => {
    const parent = emulator.admin.createWorkspacePage("CRM root");
    const notion = sdkFor(emulator);
    const db = await notion.databases.create({
      parent: { type: "page_id", page_id: parent },
      title: [{ text: { content: "Leads" } }],
      initial_data_source: {
        properties: {
          Name: { title: {} },
          Stage: { status: {} },
          Value: { number: { format: "dollar" } },
          Tags: { multi_select: { options: [{ name: "a" }, { name: "b", color: "red" }] } },
        },
      },
    });
    if (!("data_sources" in db)) throw new Error("expected a full database");
    const [source] = db.data_sources;
    expect(source?.name).toBe("Leads");
    const ds = await notion.dataSources.retrieve({ data_source_id: source?.id ?? "" });
    const stage = ds.properties["Stage"];
    if (stage?.type !== "status") throw new Error("Stage should be a status");
    expect(stage.status.options.map((o) => o.name)).toEqual(["Not started", "In progress", "Done"]);
    expect(stage.status.groups.map((g) => g.name)).toEqual(["To-do", "In progress", "Complete"]);
    expect(ds.properties["Value"]).toMatchObject({ type: "number", number: { format: "dollar" } });
    const children = await notion.blocks.children.list({ block_id: parent });
    expect(children.results).toMatchObject([{ type: "child_database", id: db.id, child_database: { title: "Leads" } }]);
  });

  it("refuses a schema without exactly one title property", async () => {
    const parent = emulator.admin.createWorkspacePage("root");
    const error = await apiError(() =>
      sdkFor(emulator).databases.create({
        parent: { type: "page_id", page_id: parent },
        initial_data_source: { properties: { Email: { email: {} } } },
      }),
    );
    expect(error.code).toBe("validation_error");
    expect(error.message).toContain("title");
  });

  it("refuses a parent page it does not know", async () => {
    const error = await apiError(() =>
      sdkFor(emulator).databases.create({
        parent: { type: "page_id", page_id: "0f4d2c3a9b8e4f6a8c7d6e5f4a3b2c1d" },
        initial_data_source: { properties: { Name: { title: {} } } },
      }),
    );
    expect(error.status).toBe(400);
  });

  it("adds the far side of a two-way relation to the related data source and keeps both sides in step", async () => {
    const left = emulator.admin.createDatabase({ title: "People", properties: { Name: { title: {} } } });
    const right = emulator.admin.createDatabase({
      title: "Tasks",
      properties: {
        Name: { title: {} },
        Owner: { relation: { data_source_id: left.dataSourceId, dual_property: { synced_property_name: "Tasks" } } },
      },
    });
    const ann = emulator.admin.insertPage(left.dataSourceId, { Name: { title: [{ text: { content: "Ann" } }] } });
    emulator.admin.insertPage(right.dataSourceId, {
      Name: { title: [{ text: { content: "Write" } }] },
      Owner: { relation: [{ id: ann.id }] },
    });
    const back = emulator.admin.getPage(ann.id)?.properties["Tasks"];
    expect(back).toMatchObject({ type: "relation", relation: [{ id: expect.any(String) }] });
  });

  it("lets admin.updateProperty break a schema on purpose", async () => {
    const seed = seedCrm(emulator);
    emulator.admin.updateProperty(seed.contacts.dataSourceId, "Email", { rich_text: {} });
    emulator.admin.updateProperty(seed.contacts.dataSourceId, "Status", null);
    const ds = await sdkFor(emulator).dataSources.retrieve({ data_source_id: seed.contacts.dataSourceId });
    expect(ds.properties["Email"]?.type).toBe("rich_text");
    expect(ds.properties["Status"]).toBeUndefined();
  });

  it("edits a schema through PATCH /v1/data_sources", async () => {
    const seed = seedCrm(emulator);
    const notion = sdkFor(emulator);
    await notion.dataSources.update({
      data_source_id: seed.deals.dataSourceId,
      properties: { Probability: { number: {} }, Owner: null, Value: { name: "Amount" } },
    });
    const ds = await notion.dataSources.retrieve({ data_source_id: seed.deals.dataSourceId });
    expect(Object.keys(ds.properties)).toEqual(["Deal Name", "Stage", "Amount", "Probability"]);
  });
});
