import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Client } from "@notionhq/client";
import { seedCrm, type CrmSeed } from "./crm-fixture.js";
import type { NotionEmulator } from "../src/index.js";
import { apiError, sdkFor, startEmulator, title } from "./emulator-test-kit.js";

describe("search and block children", () => {
  let emulator: NotionEmulator;
  let seed: CrmSeed;
  let notion: Client;
  beforeEach(async () => {
    emulator = await startEmulator();
    seed = seedCrm(emulator, { parentTitle: "Sales HQ" });
    notion = sdkFor(emulator);
    emulator.admin.insertPage(seed.contacts.dataSourceId, { Name: title("Ann at ACME") });
    emulator.admin.insertPage(seed.contacts.dataSourceId, { Name: title("Bo") });
  });
  afterEach(() => emulator.stop());

  it("finds pages whose title contains the query, case-insensitively", async () => {
    const found = await notion.search({ query: "acme", filter: { property: "object", value: "page" } });
    expect(found).toMatchObject({ object: "list", has_more: false, next_cursor: null, type: "page_or_data_source" });
    expect(found.results).toHaveLength(1);
    expect(found.results[0]).toMatchObject({ object: "page", parent: { data_source_id: seed.contacts.dataSourceId } });
  });

  it("finds data sources, and the workspace page that parents them", async () => {
    const sources = await notion.search({ query: "deals", filter: { property: "object", value: "data_source" } });
    expect(sources.results).toMatchObject([{ object: "data_source", id: seed.deals.dataSourceId }]);
    const parents = await notion.search({ query: "sales hq" });
    expect(parents.results).toMatchObject([{ object: "page", id: seed.parentPageId, parent: { type: "workspace" } }]);
  });

  it("refuses the pre-2025-09-03 database filter value", async () => {
    const error = await apiError(() => notion.search({ filter: { property: "object", value: "database" as never } }));
    expect(error.code).toBe("validation_error");
  });

  it("lists the databases made under a workspace page as child_database blocks", async () => {
    const children = await notion.blocks.children.list({ block_id: seed.parentPageId });
    expect(children.results.map((block) => "type" in block && block.type)).toEqual([
      "child_database",
      "child_database",
      "child_database",
    ]);
    expect(children.results.map((block) => block.id)).toEqual([
      seed.contacts.databaseId,
      seed.deals.databaseId,
      seed.activities.databaseId,
    ]);
    const titles = children.results.map((block) => ("child_database" in block ? block.child_database.title : ""));
    expect(titles).toEqual(["Contacts", "Deals", "Activities"]);
    const missing = await apiError(() => notion.blocks.children.list({ block_id: "0f4d2c3a9b8e4f6a8c7d6e5f4a3b2c1d" }));
    expect(missing.code).toBe("object_not_found");
  });
});
