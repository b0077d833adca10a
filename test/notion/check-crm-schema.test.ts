import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assertCrmSchema, checkCrmSchema, NotionSchemaError } from "../../src/notion/check-crm-schema.js";
import { createNotionGateway, type NotionGateway } from "../../src/notion/notion-gateway.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("checkCrmSchema", () => {
  let crm: CrmEmulator;
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let notion: NotionGateway;

  beforeEach(async () => {
    crm = await startCrmEmulator();
    dir = makeTempDir();
    db = openStore(dir.path);
    notion = createNotionGateway({
      token: crm.emulator.token,
      baseUrl: crm.emulator.url,
      requestsPerMinute: 12_000,
      db,
      logger: captureLogger().logger,
    });
  });
  afterEach(async () => {
    await crm.stop();
    db.close();
    dir.remove();
  });

  it("accepts the contract's schema and reports each database's data source", async () => {
    const report = await assertCrmSchema(notion, crm.databases);
    expect(report).toMatchObject({ dataSourceIds: crm.dataSources, problems: [] });
    expect(report.propertyTypes.contacts).toMatchObject({ Email: "email", Status: "select", "Last Contacted": "date" });
  });

  it("checks only the databases that are configured", async () => {
    crm.emulator.admin.updateProperty(crm.dataSources.deals, "Stage", null);
    const report = await checkCrmSchema(notion, { contacts: crm.databases.contacts });
    expect(report.problems).toEqual([]);
    expect(report.dataSourceIds).toEqual({ contacts: crm.dataSources.contacts });
  });

  it("accepts Status and Stage as status properties, and no Owner at all", async () => {
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Status", {
      status: { options: [{ name: "new lead" }, { name: "customer" }] },
    } as never);
    crm.emulator.admin.updateProperty(crm.dataSources.deals, "Stage", { status: {} });
    crm.emulator.admin.updateProperty(crm.dataSources.deals, "Owner", null);
    expect((await checkCrmSchema(notion, crm.databases)).problems).toEqual([]);
  });

  it("names every problem in every database in one error", async () => {
    const { admin } = crm.emulator;
    admin.updateProperty(crm.dataSources.contacts, "Email", null);
    admin.updateProperty(crm.dataSources.contacts, "Last Contacted", { rich_text: {} });
    admin.updateProperty(crm.dataSources.deals, "Owner", { rich_text: {} });
    admin.updateProperty(crm.dataSources.activities, "Contact", {
      relation: { data_source_id: crm.dataSources.deals, type: "single_property", single_property: {} },
    });

    const error = await assertCrmSchema(notion, crm.databases).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotionSchemaError);
    expect((error as NotionSchemaError).problems).toEqual([
      'Contacts (NOTION_CONTACTS_DB_ID): property "Email" is missing (expected email)',
      'Contacts (NOTION_CONTACTS_DB_ID): property "Last Contacted" is rich_text, expected date',
      'Deals (NOTION_DEALS_DB_ID): property "Owner" is rich_text, expected people',
      'Activities (NOTION_ACTIVITIES_DB_ID): property "Contact" relates to another database, expected Contacts',
    ]);
  });

  it("asks for a status option the API cannot create", async () => {
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Status", { status: {} });
    const { problems } = await checkCrmSchema(notion, { contacts: crm.databases.contacts });
    expect(problems).toEqual([expect.stringContaining('status property "Status" has no option "new lead"')]);
  });

  it("reports a database that is not shared with the integration, and still checks the others", async () => {
    crm.emulator.admin.updateProperty(crm.dataSources.deals, "Value", null);
    const { problems } = await checkCrmSchema(notion, {
      contacts: "11111111-2222-4333-8444-555555555555",
      deals: crm.databases.deals,
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^Contacts \(NOTION_CONTACTS_DB_ID\): database not found; check the id and share the database with the integration/,
      ),
      'Deals (NOTION_DEALS_DB_ID): property "Value" is missing (expected number)',
    ]);
  });
});
