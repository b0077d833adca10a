import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { workerTargets } from "../../src/notion/worker-targets.js";
import { assertCrmSchema } from "../../src/notion/check-crm-schema.js";
import { createNotionGateway, type NotionGateway } from "../../src/notion/notion-gateway.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("workerTargets", () => {
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

  it("gives every worker its data source, Status as a select, and Stage's property id", async () => {
    const report = await assertCrmSchema(notion, crm.databases);
    const targets = workerTargets(report, crm.databases.deals);
    const contactProperties = ["Name", "Email", "Company", "Status", "Source", "Last Contacted", "Notes"];
    const contacts = {
      dataSourceId: crm.dataSources.contacts,
      statusType: "select",
      readPropertyIds: contactProperties.map((name) => report.properties.contacts?.[name]?.id),
      // Source's options as the check read them: /form decides from these which utm_source may add one.
      sourceOptions: ["website"],
    };
    expect(targets.leads).toEqual({ contacts, activitiesDataSourceId: crm.dataSources.activities });
    expect(targets.digest).toEqual({ ...contacts, ownerProperty: false });
    expect(targets.deals).toEqual({
      databaseId: crm.databases.deals,
      dataSourceId: crm.dataSources.deals,
      stagePropertyId: report.properties.deals?.["Stage"]?.id,
      valueFormat: "dollar",
      readPropertyIds: ["Stage", "Deal Name", "Value", "Owner"].map((name) => report.properties.deals?.[name]?.id),
    });
    expect(targets.deals?.stagePropertyId).toEqual(expect.any(String));
    expect(targets.deals?.readPropertyIds).toHaveLength(4);
    expect(targets.leads.contacts.readPropertyIds).toHaveLength(7);
  });

  it("writes and reads Status as a status when Contacts has a status property", async () => {
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Status", {
      status: { options: [{ name: "new lead" }] },
    } as never);
    const targets = workerTargets(await assertCrmSchema(notion, crm.databases));
    expect(targets.leads.contacts.statusType).toBe("status");
    expect(targets.digest.statusType).toBe("status");
  });

  it("tells the digest whether Contacts has an Owner (people) property; another type is no schema problem", async () => {
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Owner", { rich_text: {} });
    const asText = await assertCrmSchema(notion, crm.databases);
    expect(workerTargets(asText).digest.ownerProperty).toBe(false);
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Owner", null);
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Owner", { people: {} });
    expect(workerTargets(await assertCrmSchema(notion, crm.databases)).digest.ownerProperty).toBe(true);
  });

  it("has no deals target without a Deals database, and no activities without Activities", async () => {
    const targets = workerTargets(await assertCrmSchema(notion, { contacts: crm.databases.contacts }));
    expect(targets.deals).toBeUndefined();
    expect(targets.leads.activitiesDataSourceId).toBeUndefined();
  });
});
