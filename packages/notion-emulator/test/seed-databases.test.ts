import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NotionEmulator } from "../src/index.js";
import { sdkFor, startEmulator } from "./emulator-test-kit.js";

describe("seeding databases the caller defines", () => {
  let emulator: NotionEmulator;
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(() => emulator.stop());

  it("creates them in key order under one new workspace page, a relation pointing at an earlier one", async () => {
    const seed = emulator.admin.seedDatabases(
      {
        books: { title: "Books", properties: { Title: { title: {} } } },
        loans: {
          title: "Loans",
          properties: (dataSourceIdOf) => ({
            Name: { title: {} },
            Book: {
              relation: { data_source_id: dataSourceIdOf("books"), type: "single_property", single_property: {} },
            },
          }),
        },
      },
      { parentTitle: "Library" },
    );

    const sdk = sdkFor(emulator);
    const children = await sdk.blocks.children.list({ block_id: seed.parentPageId });
    expect(children.results.map((block) => block.id)).toEqual([seed.books.databaseId, seed.loans.databaseId]);
    expect(emulator.admin.getPage(seed.parentPageId)).toMatchObject({
      properties: { title: { title: [{ plain_text: "Library" }] } },
    });
    const loans = await sdk.dataSources.retrieve({ data_source_id: seed.loans.dataSourceId });
    if (!("title" in loans)) throw new Error("expected a full data source");
    expect(loans.properties["Book"]).toMatchObject({
      type: "relation",
      relation: { data_source_id: seed.books.dataSourceId },
    });
  });

  it("refuses a definition that refers to a database not seeded before it, naming it", () => {
    expect(() =>
      emulator.admin.seedDatabases({
        loans: {
          title: "Loans",
          properties: (dataSourceIdOf) => ({
            Name: { title: {} },
            Book: {
              relation: { data_source_id: dataSourceIdOf("books"), type: "single_property", single_property: {} },
            },
          }),
        },
        books: { title: "Books", properties: { Title: { title: {} } } },
      }),
    ).toThrow('Seed "books" before the databases that refer to it.');
  });

  it("refuses parentPageId as a database name and creates nothing", async () => {
    expect(() =>
      emulator.admin.seedDatabases({ parentPageId: { title: "Odd", properties: { Name: { title: {} } } } }),
    ).toThrow('"parentPageId" cannot name a seeded database.');
    const found = await sdkFor(emulator).search({});
    expect(found.results).toEqual([]);
  });
});
