import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Client, QueryDataSourceResponse } from "@notionhq/client";
import type { NotionEmulator } from "../src/index.js";
import { apiError, rawRequest, sdkFor, startEmulator, title } from "./emulator-test-kit.js";

const nameOf = (page: QueryDataSourceResponse["results"][number]) => {
  const name = "properties" in page ? page.properties["Name"] : undefined;
  return name?.type === "title" ? name.title.map((t) => t.plain_text).join("") : "?";
};

describe("data source query sorts and pagination", () => {
  let emulator: NotionEmulator;
  let notion: Client;
  let dataSourceId: string;

  beforeEach(async () => {
    emulator = await startEmulator();
    notion = sdkFor(emulator);
    ({ dataSourceId } = emulator.admin.createDatabase({
      title: "Rows",
      properties: {
        Name: { title: {} },
        Rank: { number: {} },
        Due: { date: {} },
        Stage: { select: { options: [{ name: "b" }, { name: "a" }] } },
      },
    }));
  });
  afterEach(() => emulator.stop());

  const insert = (name: string, extra: Record<string, unknown> = {}, createdTime?: string) =>
    emulator.admin.insertPage(
      dataSourceId,
      { Name: title(name), ...extra },
      createdTime === undefined ? {} : { createdTime },
    );

  it("sorts by several keys, empty values last in both directions, ties in creation order", async () => {
    insert("none-1");
    insert("r2-late", { Rank: { number: 2 }, Due: { date: { start: "2024-05-01" } } });
    insert("r1", { Rank: { number: 1 } });
    insert("r2-early", { Rank: { number: 2 }, Due: { date: { start: "2024-01-01" } } });
    insert("none-2");
    const sorted = async (direction: "ascending" | "descending") =>
      (
        await notion.dataSources.query({
          data_source_id: dataSourceId,
          sorts: [
            { property: "Rank", direction },
            { property: "Due", direction: "ascending" },
          ],
        })
      ).results.map(nameOf);
    expect(await sorted("ascending")).toEqual(["r1", "r2-early", "r2-late", "none-1", "none-2"]);
    expect(await sorted("descending")).toEqual(["r2-early", "r2-late", "r1", "none-1", "none-2"]);
  });

  it("sorts select values by the schema's option order and by timestamps", async () => {
    insert("A", { Stage: { select: { name: "a" } } }, "2024-01-02T00:00:00Z");
    insert("B", { Stage: { select: { name: "b" } } }, "2024-01-01T00:00:00Z");
    const bySelect = await notion.dataSources.query({
      data_source_id: dataSourceId,
      sorts: [{ property: "Stage", direction: "ascending" }],
    });
    expect(bySelect.results.map(nameOf)).toEqual(["B", "A"]);
    const byCreated = await notion.dataSources.query({
      data_source_id: dataSourceId,
      sorts: [{ timestamp: "created_time", direction: "descending" }],
    });
    expect(byCreated.results.map(nameOf)).toEqual(["A", "B"]);
  });

  it("refuses a sort on an unknown property", async () => {
    const error = await apiError(() =>
      notion.dataSources.query({ data_source_id: dataSourceId, sorts: [{ property: "Nope", direction: "ascending" }] }),
    );
    expect(error.code).toBe("validation_error");
    expect(error.message).toContain("Nope");
  });

  it("pages through 250 rows 100 at a time: three pages, no duplicates, no gaps", async () => {
    for (let i = 0; i < 250; i++) insert(`row-${i}`, { Rank: { number: i } });
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await notion.dataSources.query({
        data_source_id: dataSourceId,
        sorts: [{ property: "Rank", direction: "ascending" }],
        page_size: 100,
        ...(cursor === undefined ? {} : { start_cursor: cursor }),
      });
      sizes.push(page.results.length);
      seen.push(...page.results.map(nameOf));
      expect(page.request_status).toBeUndefined();
      if (!page.has_more) {
        expect(page.next_cursor).toBeNull();
        break;
      }
      cursor = page.next_cursor ?? undefined;
    }
    expect(sizes).toEqual([100, 100, 50]);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => `row-${i}`));
  });

  it("refuses page_size 101 and 0, and a cursor it did not make for this query", async () => {
    for (const page_size of [101, 0]) {
      const error = await apiError(() => notion.dataSources.query({ data_source_id: dataSourceId, page_size }));
      expect(error.code).toBe("validation_error");
    }
    for (let i = 0; i < 3; i++) insert(`r${i}`);
    const first = await notion.dataSources.query({ data_source_id: dataSourceId, page_size: 1 });
    const cursor = first.next_cursor ?? "";
    const forged = await apiError(() =>
      notion.dataSources.query({ data_source_id: dataSourceId, start_cursor: "abc" }),
    );
    expect(forged.code).toBe("validation_error");
    const foreign = await apiError(() =>
      notion.dataSources.query({
        data_source_id: dataSourceId,
        start_cursor: cursor,
        filter: { property: "Name", title: { is_not_empty: true } },
      }),
    );
    expect(foreign.code).toBe("validation_error");
    const raw = await rawRequest(emulator, "POST", `/v1/data_sources/${dataSourceId}/query`, {
      body: JSON.stringify({ start_cursor: cursor }),
    });
    expect(raw.status).toBe(200);
  });

  it("stops one query at maxResultsPerQuery and marks the last page incomplete", async () => {
    await emulator.stop();
    emulator = await startEmulator({ maxResultsPerQuery: 25 });
    notion = sdkFor(emulator);
    ({ dataSourceId } = emulator.admin.createDatabase({ title: "Rows", properties: { Name: { title: {} } } }));
    for (let i = 0; i < 40; i++) insert(`row-${i}`);
    const first = await notion.dataSources.query({ data_source_id: dataSourceId, page_size: 10 });
    expect(first).toMatchObject({
      has_more: true,
      object: "list",
      type: "page_or_data_source",
      page_or_data_source: {},
    });
    expect(first.request_status).toBeUndefined();
    const pages: QueryDataSourceResponse[] = [first];
    while (pages.at(-1)?.has_more === true) {
      pages.push(
        await notion.dataSources.query({
          data_source_id: dataSourceId,
          page_size: 10,
          start_cursor: pages.at(-1)?.next_cursor ?? "",
        }),
      );
    }
    expect(pages.map((p) => p.results.length)).toEqual([10, 10, 5]);
    const last = pages.at(-1);
    expect(last?.next_cursor).toBeNull();
    expect(last?.request_status).toEqual({ type: "incomplete", incomplete_reason: "query_result_limit_reached" });
    const narrower = await notion.dataSources.query({
      data_source_id: dataSourceId,
      filter: { property: "Name", title: { ends_with: "-1" } },
    });
    expect(narrower.results).toHaveLength(1);
    expect(narrower.request_status).toBeUndefined();
  });

  it("can say a query is capped on its first page, as Notion may, and not again on the last", async () => {
    await emulator.stop();
    emulator = await startEmulator({ maxResultsPerQuery: 25, reportIncompleteOn: "first-page" });
    notion = sdkFor(emulator);
    ({ dataSourceId } = emulator.admin.createDatabase({ title: "Rows", properties: { Name: { title: {} } } }));
    for (let i = 0; i < 40; i++) insert(`row-${i}`);
    const pages: QueryDataSourceResponse[] = [
      await notion.dataSources.query({ data_source_id: dataSourceId, page_size: 10 }),
    ];
    while (pages.at(-1)?.has_more === true) {
      pages.push(
        await notion.dataSources.query({
          data_source_id: dataSourceId,
          page_size: 10,
          start_cursor: pages.at(-1)?.next_cursor ?? "",
        }),
      );
    }
    expect(pages.map((p) => [p.results.length, p.request_status?.type])).toEqual([
      [10, "incomplete"],
      [10, undefined],
      [5, undefined],
    ]);
  });

  it("returns only each page's title without filter_properties when told to act as 2026-12-01", async () => {
    await emulator.stop();
    emulator = await startEmulator({ titleOnlyUnlessFilterProperties: true });
    notion = sdkFor(emulator);
    ({ dataSourceId } = emulator.admin.createDatabase({
      title: "Rows",
      properties: { Name: { title: {} }, Rank: { number: {} }, Due: { date: {} } },
    }));
    insert("one", { Rank: { number: 1 }, Due: { date: { start: "2024-05-01" } } });
    const bare = await notion.dataSources.query({ data_source_id: dataSourceId });
    expect(Object.keys((bare.results[0] as { properties: object }).properties)).toEqual(["Name"]);
    const schema = await notion.dataSources.retrieve({ data_source_id: dataSourceId });
    const rankId = (schema as { properties: Record<string, { id: string }> }).properties["Rank"]!.id;
    const named = await notion.dataSources.query({ data_source_id: dataSourceId, filter_properties: [rankId] });
    expect(Object.keys((named.results[0] as { properties: object }).properties)).toEqual(["Rank"]);
  });
});
