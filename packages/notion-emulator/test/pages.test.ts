import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Client } from "@notionhq/client";
import { seedCrm, type CrmSeed } from "./crm-fixture.js";
import type { NotionEmulator } from "../src/index.js";
import { apiError, rawRequest, richText, sdkFor, startEmulator, title } from "./emulator-test-kit.js";

describe("pages", () => {
  let emulator: NotionEmulator;
  let seed: CrmSeed;
  let notion: Client;
  beforeEach(async () => {
    emulator = await startEmulator();
    seed = seedCrm(emulator);
    notion = sdkFor(emulator);
  });
  afterEach(() => emulator.stop());

  const createContact = (properties: NonNullable<Parameters<Client["pages"]["create"]>[0]["properties"]>) =>
    notion.pages.create({ parent: { data_source_id: seed.contacts.dataSourceId }, properties });

  it("creates a page and answers it with every schema property, empty ones in their empty form", async () => {
    const page = await createContact({ Name: title("Ann"), Email: { email: "ann@example.com" } });
    expect(page).toMatchObject({
      object: "page",
      parent: {
        type: "data_source_id",
        data_source_id: seed.contacts.dataSourceId,
        database_id: seed.contacts.databaseId,
      },
      in_trash: false,
      archived: false,
      icon: null,
      cover: null,
      public_url: null,
      created_by: { object: "user" },
      url: expect.stringMatching(/^https:\/\/www\.notion\.so\/Ann-[0-9a-f]{32}$/),
    });
    if (!("properties" in page)) throw new Error("expected a full page");
    expect(page.created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
    expect(page.properties).toEqual({
      Name: {
        id: "title",
        type: "title",
        title: [
          {
            type: "text",
            text: { content: "Ann", link: null },
            annotations: {
              bold: false,
              italic: false,
              strikethrough: false,
              underline: false,
              code: false,
              color: "default",
            },
            plain_text: "Ann",
            href: null,
          },
        ],
      },
      Email: { id: expect.any(String), type: "email", email: "ann@example.com" },
      Company: { id: expect.any(String), type: "rich_text", rich_text: [] },
      Status: { id: expect.any(String), type: "select", select: null },
      Source: { id: expect.any(String), type: "select", select: null },
      "Last Contacted": { id: expect.any(String), type: "date", date: null },
      Notes: { id: expect.any(String), type: "rich_text", rich_text: [] },
    });
  });

  it("updates only the given properties and can move a page to the trash and back", async () => {
    const page = await createContact({ Name: title("Ann"), Company: richText("Acme") });
    const updated = await notion.pages.update({
      page_id: page.id,
      properties: { "Last Contacted": { date: { start: "2024-03-01" } }, Status: { select: { name: "contacted" } } },
    });
    if (!("properties" in updated)) throw new Error("expected a full page");
    expect(updated.properties["Company"]).toMatchObject({ rich_text: [{ plain_text: "Acme" }] });
    expect(updated.properties["Last Contacted"]).toMatchObject({
      date: { start: "2024-03-01", end: null, time_zone: null },
    });
    expect(updated.properties["Status"]).toMatchObject({ select: { name: "contacted" } });
    const trashed = await notion.pages.update({ page_id: page.id, in_trash: true });
    expect(trashed).toMatchObject({ in_trash: true, archived: true });
    expect(emulator.admin.listPages(seed.contacts.dataSourceId)).toHaveLength(0);
    const edit = await apiError(() =>
      notion.pages.update({ page_id: page.id, properties: { Company: richText("x") } }),
    );
    expect(edit.code).toBe("validation_error");
    await notion.pages.update({ page_id: page.id, archived: false });
    expect(emulator.admin.listPages(seed.contacts.dataSourceId)).toHaveLength(1);
  });

  it("retrieves a page, accepting properties written by id", async () => {
    const ds = await notion.dataSources.retrieve({ data_source_id: seed.contacts.dataSourceId });
    const emailId = ds.properties["Email"]?.id ?? "";
    const page = await createContact({ title: title("Bo"), [emailId]: { email: "bo@example.com" } });
    const fetched = await notion.pages.retrieve({ page_id: page.id });
    expect(fetched).toEqual(page);
    expect(emulator.admin.getPage(page.id)?.properties["Email"]).toMatchObject({ email: "bo@example.com" });
  });

  it("normalises date-times to Notion's form and keeps date-only values as they are", async () => {
    const page = await createContact({
      Name: title("D"),
      "Last Contacted": { date: { start: "2024-01-02T03:04:05Z" } },
    });
    if (!("properties" in page)) throw new Error("expected a full page");
    expect(page.properties["Last Contacted"]).toMatchObject({ date: { start: "2024-01-02T03:04:05.000+00:00" } });
  });

  it("creates a page under a database id when the database has exactly one data source", async () => {
    const page = await notion.pages.create({
      parent: { database_id: seed.deals.databaseId },
      properties: { "Deal Name": title("Big") },
    });
    expect(page).toMatchObject({ parent: { data_source_id: seed.deals.dataSourceId } });
  });

  it("adds a new select option to the schema, as Notion does", async () => {
    await createContact({ Name: title("Ann"), Source: { select: { name: "newsletter" } } });
    const ds = await notion.dataSources.retrieve({ data_source_id: seed.contacts.dataSourceId });
    const source = ds.properties["Source"];
    expect(source?.type === "select" && source.select.options.map((o) => o.name)).toEqual(["website", "newsletter"]);
  });

  it("stores people and relations to existing pages", async () => {
    const owner = emulator.admin.addUser("Dana Owner");
    const deal = await notion.pages.create({
      parent: { data_source_id: seed.deals.dataSourceId },
      properties: { "Deal Name": title("D"), Value: { number: 1200.5 }, Owner: { people: [{ id: owner }] } },
    });
    if (!("properties" in deal)) throw new Error("expected a full page");
    expect(deal.properties["Owner"]).toMatchObject({ people: [{ object: "user", id: owner, name: "Dana Owner" }] });
    const contact = await createContact({ Name: title("Ann") });
    const activity = await notion.pages.create({
      parent: { data_source_id: seed.activities.dataSourceId },
      properties: {
        Name: title("Form"),
        Contact: { relation: [{ id: contact.id }] },
        Type: { select: { name: "Form submission" } },
      },
    });
    if (!("properties" in activity)) throw new Error("expected a full page");
    expect(activity.properties["Contact"]).toMatchObject({ type: "relation", relation: [{ id: contact.id }] });
  });

  describe("refuses invalid values with validation_error and writes nothing", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["an unknown property", { Foo: richText("x") }, /^Foo is not a property that exists\.$/],
      ["a value of the wrong type", { Email: richText("x") }, /^Email is expected to be email\.$/],
      ["rich text given as a plain string", { Notes: { rich_text: "plain" } }, /Notes/],
      [
        "2,001 characters in one text object",
        { Notes: { rich_text: [{ text: { content: "x".repeat(2001) } }] } },
        /body\.properties\.Notes\.rich_text\[0\]\.text\.content\.length should be ≤ `2000`, instead was `2001`/,
      ],
      [
        "101 rich-text objects",
        { Notes: { rich_text: Array.from({ length: 101 }, () => ({ text: { content: "x" } })) } },
        /rich_text\.length should be ≤ `100`, instead was `101`/,
      ],
      [
        "a 201-character email",
        { Email: { email: `${"a".repeat(189)}@example.com` } },
        /email\.length should be ≤ `200`, instead was `201`/,
      ],
      ["a select option with a comma", { Source: { select: { name: "a,b" } } }, /commas/],
      ["a date that is not ISO 8601", { "Last Contacted": { date: { start: "yesterday" } } }, /ISO 8601/],
    ];
    for (const [situation, properties, message] of cases) {
      it(`for ${situation}`, async () => {
        const error = await apiError(() => createContact({ Name: title("Ann"), ...properties } as never));
        expect(error.status).toBe(400);
        expect(error.code).toBe("validation_error");
        expect(error.message).toMatch(message);
        expect(emulator.admin.listPages(seed.contacts.dataSourceId)).toHaveLength(0);
        const ds = await notion.dataSources.retrieve({ data_source_id: seed.contacts.dataSourceId });
        const source = ds.properties["Source"];
        expect(source?.type === "select" && source.select.options).toHaveLength(1);
      });
    }

    it("for a status option the schema lacks", async () => {
      const ds = emulator.admin.createDatabase({
        title: "Jobs",
        properties: { Name: { title: {} }, State: { status: {} } },
      });
      const error = await apiError(() =>
        notion.pages.create({
          parent: { data_source_id: ds.dataSourceId },
          properties: { Name: title("j"), State: { status: { name: "Blocked" } } },
        }),
      );
      expect(error.code).toBe("validation_error");
      expect(error.message).toContain("Blocked");
      expect(emulator.admin.listPages(ds.dataSourceId)).toHaveLength(0);
      const ok = await notion.pages.create({
        parent: { data_source_id: ds.dataSourceId },
        properties: { State: { status: { name: "Done" } } },
      });
      expect("properties" in ok && ok.properties["State"]).toMatchObject({ status: { name: "Done" } });
    });

    it("for a relation to a page that does not exist", async () => {
      const error = await apiError(() =>
        notion.pages.create({
          parent: { data_source_id: seed.activities.dataSourceId },
          properties: { Name: title("x"), Contact: { relation: [{ id: "0f4d2c3a9b8e4f6a8c7d6e5f4a3b2c1d" }] } },
        }),
      );
      expect(error.code).toBe("validation_error");
      expect(emulator.admin.listPages(seed.activities.dataSourceId)).toHaveLength(0);
    });

    it("for a number that is not finite, leaving an updated page as it was", async () => {
      const deal = emulator.admin.insertPage(seed.deals.dataSourceId, {
        "Deal Name": title("D"),
        Value: { number: 5 },
      });
      const raw = await rawRequest(emulator, "PATCH", `/v1/pages/${deal.id}`, {
        body: '{"properties":{"Deal Name":{"title":[{"text":{"content":"changed"}}]},"Value":{"number":1e999}}}',
      });
      expect(raw.status).toBe(400);
      expect(raw.json["message"]).toBe("Value is expected to be number.");
      expect(emulator.admin.getPage(deal.id)).toEqual(deal);
    });
  });
});
