import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Client, QueryDataSourceParameters } from "@notionhq/client";
import type { NotionEmulator } from "../src/index.js";
import { apiError, sdkFor, startEmulator, title } from "./emulator-test-kit.js";

type Filter = NonNullable<QueryDataSourceParameters["filter"]>;

describe("data source query filters", () => {
  let emulator: NotionEmulator;
  let notion: Client;
  let dataSourceId: string;
  let owner: string;
  let target: string;

  beforeEach(async () => {
    emulator = await startEmulator();
    notion = sdkFor(emulator);
    const { admin } = emulator;
    owner = admin.addUser("Owner");
    const others = admin.createDatabase({ title: "Others", properties: { Name: { title: {} } } });
    target = admin.insertPage(others.dataSourceId, { Name: title("T") }).id;
    ({ dataSourceId } = admin.createDatabase({
      title: "Everything",
      properties: {
        Name: { title: {} },
        Notes: { rich_text: {} },
        Email: { email: {} },
        Site: { url: {} },
        Phone: { phone_number: {} },
        Stage: { select: { options: [{ name: "new" }, { name: "won" }] } },
        State: { status: {} },
        Tags: { multi_select: { options: [{ name: "hot" }, { name: "cold" }] } },
        Due: { date: {} },
        Amount: { number: {} },
        Done: { checkbox: {} },
        Owner: { people: {} },
        Link: { relation: { data_source_id: others.dataSourceId, single_property: {} } },
      },
    }));
    admin.insertPage(dataSourceId, {
      Name: title("Alpha"),
      Notes: { rich_text: [{ text: { content: "Call Back soon" } }] },
      Email: { email: "alpha@example.com" },
      Site: { url: "https://alpha.example" },
      Stage: { select: { name: "new" } },
      State: { status: { name: "In progress" } },
      Tags: { multi_select: [{ name: "hot" }] },
      Due: { date: { start: "2024-01-10" } },
      Amount: { number: 10 },
      Done: { checkbox: true },
      Owner: { people: [{ id: owner }] },
      Link: { relation: [{ id: target }] },
    });
    admin.insertPage(dataSourceId, {
      Name: title("Beta"),
      Email: { email: "beta@example.org" },
      Phone: { phone_number: "+1 555" },
      Stage: { select: { name: "won" } },
      Tags: { multi_select: [{ name: "cold" }, { name: "hot" }] },
      Due: { date: { start: "2024-01-20T12:00:00Z" } },
      Amount: { number: 20 },
    });
    admin.insertPage(dataSourceId, { Name: title("gamma") }, { createdTime: "2020-01-01T00:00:00Z" });
  });
  afterEach(() => emulator.stop());

  const names = async (filter: Filter) => {
    const response = await notion.dataSources.query({ data_source_id: dataSourceId, filter });
    return response.results.map((page) => {
      const name = "properties" in page ? page.properties["Name"] : undefined;
      return name?.type === "title" ? name.title.map((t) => t.plain_text).join("") : "?";
    });
  };

  it("filters text: equals is case-sensitive, contains and starts_with are not", async () => {
    expect(await names({ property: "Name", title: { equals: "Alpha" } })).toEqual(["Alpha"]);
    expect(await names({ property: "Name", title: { equals: "alpha" } })).toEqual([]);
    expect(await names({ property: "Name", title: { contains: "A" } })).toEqual(["Alpha", "Beta", "gamma"]);
    expect(await names({ property: "Name", title: { starts_with: "G" } })).toEqual(["gamma"]);
    expect(await names({ property: "Name", title: { ends_with: "TA" } })).toEqual(["Beta"]);
    expect(await names({ property: "Name", title: { does_not_equal: "Alpha" } })).toEqual(["Beta", "gamma"]);
    expect(await names({ property: "Notes", rich_text: { contains: "back" } })).toEqual(["Alpha"]);
    expect(await names({ property: "Notes", rich_text: { does_not_contain: "back" } })).toEqual(["Beta", "gamma"]);
    expect(await names({ property: "Notes", rich_text: { is_empty: true } })).toEqual(["Beta", "gamma"]);
    expect(await names({ property: "Email", email: { ends_with: ".org" } })).toEqual(["Beta"]);
    expect(await names({ property: "Site", url: { is_not_empty: true } })).toEqual(["Alpha"]);
    expect(await names({ property: "Phone", phone_number: { starts_with: "+1" } })).toEqual(["Beta"]);
  });

  it("filters select, status and multi_select by option name", async () => {
    expect(await names({ property: "Stage", select: { equals: "won" } })).toEqual(["Beta"]);
    expect(await names({ property: "Stage", select: { does_not_equal: "won" } })).toEqual(["Alpha", "gamma"]);
    expect(await names({ property: "Stage", select: { is_empty: true } })).toEqual(["gamma"]);
    expect(await names({ property: "State", status: { equals: "In progress" } })).toEqual(["Alpha"]);
    expect(await names({ property: "State", status: { is_not_empty: true } })).toEqual(["Alpha"]);
    expect(await names({ property: "Tags", multi_select: { contains: "hot" } })).toEqual(["Alpha", "Beta"]);
    expect(await names({ property: "Tags", multi_select: { does_not_contain: "cold" } })).toEqual(["Alpha", "gamma"]);
  });

  it("filters dates as instants, a date alone meaning that day's start in UTC", async () => {
    expect(await names({ property: "Due", date: { before: "2024-01-15" } })).toEqual(["Alpha"]);
    expect(await names({ property: "Due", date: { after: "2024-01-10" } })).toEqual(["Beta"]);
    expect(await names({ property: "Due", date: { on_or_after: "2024-01-10" } })).toEqual(["Alpha", "Beta"]);
    expect(await names({ property: "Due", date: { on_or_before: "2024-01-20T12:00:00.000Z" } })).toEqual([
      "Alpha",
      "Beta",
    ]);
    expect(await names({ property: "Due", date: { equals: "2024-01-10" } })).toEqual(["Alpha"]);
    expect(await names({ property: "Due", date: { is_empty: true } })).toEqual(["gamma"]);
    expect(await names({ property: "Due", date: { is_not_empty: true } })).toEqual(["Alpha", "Beta"]);
  });

  it("filters numbers, checkboxes, people and relations", async () => {
    expect(await names({ property: "Amount", number: { greater_than: 10 } })).toEqual(["Beta"]);
    expect(await names({ property: "Amount", number: { less_than_or_equal_to: 20 } })).toEqual(["Alpha", "Beta"]);
    expect(await names({ property: "Amount", number: { equals: 10 } })).toEqual(["Alpha"]);
    expect(await names({ property: "Amount", number: { is_empty: true } })).toEqual(["gamma"]);
    expect(await names({ property: "Done", checkbox: { equals: true } })).toEqual(["Alpha"]);
    expect(await names({ property: "Done", checkbox: { does_not_equal: true } })).toEqual(["Beta", "gamma"]);
    expect(await names({ property: "Owner", people: { contains: owner } })).toEqual(["Alpha"]);
    expect(await names({ property: "Owner", people: { is_empty: true } })).toEqual(["Beta", "gamma"]);
    expect(await names({ property: "Link", relation: { contains: target.replaceAll("-", "") } })).toEqual(["Alpha"]);
    expect(await names({ property: "Link", relation: { does_not_contain: target } })).toEqual(["Beta", "gamma"]);
  });

  it("filters on created_time and last_edited_time", async () => {
    expect(await names({ timestamp: "created_time", created_time: { before: "2021-01-01" } })).toEqual(["gamma"]);
    expect(await names({ timestamp: "last_edited_time", last_edited_time: { after: "2021-01-01" } })).toEqual([
      "Alpha",
      "Beta",
    ]);
  });

  it("answers last_edited_time rounded down to the minute and compares a timestamp filter with that", async () => {
    const edited = emulator.admin.insertPage(
      dataSourceId,
      { Name: title("Delta") },
      { createdTime: "2024-03-01T09:00:00.000Z", lastEditedTime: "2024-03-01T10:15:50.000Z" },
    );
    expect(edited.last_edited_time).toBe("2024-03-01T10:15:00.000Z");
    // Edited at 10:15:50, but Notion sees 10:15: a mark taken at 10:15:30 misses it, one a minute earlier does not.
    const window = (at: string): Filter => ({
      and: [
        { timestamp: "last_edited_time", last_edited_time: { on_or_after: at } },
        { timestamp: "last_edited_time", last_edited_time: { before: "2024-03-02" } },
      ],
    });
    expect(await names(window("2024-03-01T10:15:30.000Z"))).toEqual([]);
    expect(await names(window("2024-03-01T10:14:30.000Z"))).toEqual(["Delta"]);
    expect(await names(window("2024-03-01T10:15:00.000Z"))).toEqual(["Delta"]);
  });

  it("records each request's query string, so filter_properties can be seen", async () => {
    emulator.stats.reset();
    await notion.dataSources.query({ data_source_id: dataSourceId, filter_properties: ["Name", "Stage"] });
    expect(emulator.stats.requests.map((request) => request.search)).toEqual([
      "?filter_properties=Name&filter_properties=Stage",
    ]);
  });

  it("combines conditions with and / or, nested one level", async () => {
    expect(
      await names({
        or: [
          { property: "Stage", select: { equals: "won" } },
          {
            and: [
              { property: "Due", date: { is_empty: true } },
              { property: "Name", title: { contains: "gam" } },
            ],
          },
        ],
      }),
    ).toEqual(["Beta", "gamma"]);
    expect(
      await names({
        and: [
          { property: "Tags", multi_select: { contains: "hot" } },
          { property: "Amount", number: { less_than: 15 } },
        ],
      }),
    ).toEqual(["Alpha"]);
  });

  it("refuses compound filters nested deeper than Notion allows", async () => {
    const leaf = { property: "Name", title: { is_not_empty: true as const } };
    const error = await apiError(() =>
      notion.dataSources.query({ data_source_id: dataSourceId, filter: { and: [{ or: [{ and: [leaf] } as never] }] } }),
    );
    expect(error.code).toBe("validation_error");
  });

  it("refuses a filter on an unknown property or of the wrong type, naming the property", async () => {
    const unknown = await apiError(() => names({ property: "Nope", rich_text: { contains: "x" } }));
    expect(unknown.code).toBe("validation_error");
    expect(unknown.message).toContain("Nope");
    const wrongType = await apiError(() => names({ property: "State", select: { equals: "Done" } }));
    expect(wrongType.code).toBe("validation_error");
    expect(wrongType.message).toContain("State");
    const badOperand = await apiError(() => names({ property: "Amount", number: { equals: "10" as never } }));
    expect(badOperand.code).toBe("validation_error");
    const badOperator = await apiError(() => names({ property: "Done", checkbox: { is_empty: true } as never }));
    expect(badOperator.code).toBe("validation_error");
  });

  it("leaves trashed pages out", async () => {
    const page = emulator.admin.insertPage(dataSourceId, { Name: title("Trashed") });
    await notion.pages.update({ page_id: page.id, in_trash: true });
    expect(await names({ property: "Name", title: { equals: "Trashed" } })).toEqual([]);
  });
});
