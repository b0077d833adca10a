import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Client } from "@notionhq/client";
import { seedCrm, type CrmSeed } from "./crm-fixture.js";
import type { NotionEmulator } from "../src/index.js";
import { apiError, rawRequest, sdkFor, startEmulator, title } from "./emulator-test-kit.js";

describe("the Free plan's block limit", () => {
  let emulator: NotionEmulator;
  let seed: CrmSeed;
  let notion: Client;
  beforeEach(async () => {
    emulator = await startEmulator();
    seed = seedCrm(emulator);
    notion = sdkFor(emulator);
  });
  afterEach(() => emulator.stop());

  const createContact = (name: string) =>
    notion.pages.create({ parent: { data_source_id: seed.contacts.dataSourceId }, properties: { Name: title(name) } });
  const contacts = () => emulator.admin.listPages(seed.contacts.dataSourceId);

  it("refuses creates after N with 403 restricted_resource in Notion's error shape, and creates nothing", async () => {
    emulator.admin.limitBlocks(2);
    await createContact("one");
    await createContact("two");
    const error = await apiError(() => createContact("three"));
    expect(error.status).toBe(403);
    expect(error.code).toBe("restricted_resource");
    expect(contacts().map((page) => page.id)).toHaveLength(2);

    const raw = await rawRequest(emulator, "POST", "/v1/pages", {
      body: JSON.stringify({
        parent: { data_source_id: seed.contacts.dataSourceId },
        properties: { Name: title("four") },
      }),
    });
    expect(raw.status).toBe(403);
    expect(raw.json).toMatchObject({ object: "error", status: 403, code: "restricted_resource" });
    expect(typeof raw.json["message"]).toBe("string");
    expect(typeof raw.json["request_id"]).toBe("string");
  });

  it("refuses database creates too, while reads and edits of existing pages go on", async () => {
    const page = await createContact("Ann");
    emulator.admin.limitBlocks(0);
    const error = await apiError(() =>
      notion.databases.create({
        parent: { type: "page_id", page_id: seed.parentPageId },
        title: [{ type: "text", text: { content: "More" } }],
        initial_data_source: { properties: { Name: { title: {} } } },
      }),
    );
    expect(error.code).toBe("restricted_resource");
    await notion.pages.update({ page_id: page.id, properties: { Name: title("Ann Lee") } });
    const read = await notion.pages.retrieve({ page_id: page.id });
    expect(read.id).toBe(page.id);
    expect(contacts()).toHaveLength(1);
  });

  it("creates again once the limit is lifted through the admin interface", async () => {
    emulator.admin.limitBlocks(0);
    expect((await apiError(() => createContact("held"))).code).toBe("restricted_resource");
    emulator.admin.liftBlockLimit();
    await createContact("after upgrade");
    expect(contacts()).toHaveLength(1);
  });
});
