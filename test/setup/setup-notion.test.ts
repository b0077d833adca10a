import { Client, isFullDataSource, type DataSourceObjectResponse } from "@notionhq/client";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { CONTACT_STATUSES, DEAL_STAGES, FORM_SUBMISSION_ACTIVITY } from "../../src/crm-schema/crm-schema.js";
import { createNotionEmulator, type NotionEmulator } from "@notion-crm/notion-emulator";
import { CRM_SEED } from "../../scripts/lib/crm-seed.js";
import { SERVER_REQUIRED_SETTINGS } from "../../src/config/settings.js";
import { startCrmServer } from "../../src/server/start-crm-server.js";
import { captureLogger } from "../support/capture-logger.js";
import { eventually } from "../support/crm-harness.js";
import { runTsFile } from "../support/run-node.js";
import { formSignatureHex } from "../support/sign.js";
import { makeTempDir } from "../support/temp-dir.js";

const SETUP = "scripts/setup-notion.ts";
const DB_CREATES = { method: "POST", path: /^\/v1\/databases$/ };

describe("npm run setup-notion", () => {
  let emulator: NotionEmulator;
  let dir: ReturnType<typeof makeTempDir>;
  let parentPageId: string;

  const env = () => ({
    NOTION_TOKEN: emulator.token,
    NOTION_BASE_URL: emulator.url,
    NOTION_RATE_LIMIT_RPS: "100",
    DATA_DIR: dir.path,
  });
  const setup = (args: string[], extraEnv: Record<string, string> = {}) =>
    runTsFile(SETUP, { env: { ...env(), ...extraEnv }, args });

  beforeEach(async () => {
    emulator = createNotionEmulator({ rateLimitPerSecond: Infinity });
    parentPageId = emulator.admin.createWorkspacePage("Sales CRM");
    await emulator.start();
    dir = makeTempDir();
  });
  afterEach(async () => {
    await emulator.stop();
    dir.remove();
  });

  it("creates the three databases with the contract's schema and prints their .env lines", async () => {
    const result = await setup(["--parent", parentPageId]);

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(emulator.stats.count(DB_CREATES)).toBe(3);
    const ids = envLines(result.stdout);
    expect(Object.keys(ids)).toEqual(["NOTION_CONTACTS_DB_ID", "NOTION_DEALS_DB_ID", "NOTION_ACTIVITIES_DB_ID"]);
    // Every stdout line is a comment or KEY=value, so the output can be appended to .env as it is.
    expect(
      result.stdout
        .trim()
        .split("\n")
        .every((line) => line.startsWith("#") || /^[A-Z_]+=\S+$/.test(line)),
    ).toBe(true);
    expect(result.stdout).toContain("# Contacts: created");

    const notion = clientFor(emulator);
    const [contacts, deals, activities] = await Promise.all(
      [ids.NOTION_CONTACTS_DB_ID, ids.NOTION_DEALS_DB_ID, ids.NOTION_ACTIVITIES_DB_ID].map((id) =>
        dataSourceOf(notion, id!),
      ),
    );
    expect(typesOf(contacts!)).toEqual({
      Name: "title",
      Email: "email",
      Company: "rich_text",
      Status: "select",
      Source: "select",
      "Last Contacted": "date",
      Notes: "rich_text",
    });
    expect(optionNames(contacts!, "Status")).toEqual([...CONTACT_STATUSES]);
    expect(typesOf(deals!)).toEqual({ "Deal Name": "title", Stage: "select", Value: "number", Owner: "people" });
    expect(optionNames(deals!, "Stage")).toEqual([...DEAL_STAGES]);
    expect(deals!.properties.Value).toMatchObject({ type: "number", number: { format: "dollar" } });
    expect(typesOf(activities!)).toEqual({
      Name: "title",
      Contact: "relation",
      Type: "select",
      Date: "date",
      Notes: "rich_text",
    });
    expect(activities!.properties.Contact).toMatchObject({
      type: "relation",
      relation: { data_source_id: contacts!.id },
    });
    expect(optionNames(activities!, "Type")).toContain(FORM_SUBMISSION_ACTIVITY);
    expect(await databaseTitlesUnder(emulator, parentPageId)).toEqual(["Contacts", "Deals", "Activities"]);
  });

  it("creates nothing when run again, given the page's URL this time, and prints the same ids", async () => {
    const first = await setup(["--parent", parentPageId]);
    emulator.stats.reset();

    const second = await setup([
      "--parent",
      `https://www.notion.so/acme/Sales-CRM-${parentPageId.replaceAll("-", "")}`,
    ]);

    expect(second.code).toBe(0);
    expect(emulator.stats.count(DB_CREATES)).toBe(0);
    expect(envLines(second.stdout)).toEqual(envLines(first.stdout));
    expect(second.stdout).toContain("# Contacts: already under the page, reused");
    expect(await databaseTitlesUnder(emulator, parentPageId)).toEqual(["Contacts", "Deals", "Activities"]);
  });

  it("creates only what is missing, relating Activities to the Contacts already there", async () => {
    const existing = emulator.admin.createDatabase({ parentPageId, ...CRM_SEED.contacts });

    const result = await setup(["--parent", parentPageId]);

    expect(result.code).toBe(0);
    expect(emulator.stats.count(DB_CREATES)).toBe(2);
    const ids = envLines(result.stdout);
    expect(ids.NOTION_CONTACTS_DB_ID).toBe(existing.databaseId);
    expect(result.stdout).toContain(`# Contacts: already under the page, reused (${existing.databaseId})`);
    const activities = await dataSourceOf(clientFor(emulator), ids.NOTION_ACTIVITIES_DB_ID!);
    expect(activities.properties.Contact).toMatchObject({ relation: { data_source_id: existing.dataSourceId } });
    expect(await databaseTitlesUnder(emulator, parentPageId)).toEqual(["Contacts", "Deals", "Activities"]);
  });

  it("does not create a second Contacts when its create landed but the answer was lost", async () => {
    emulator.faults.failNext(1, { method: "POST", path: /^\/v1\/databases$/, kind: "commit-then-fail", status: 502 });

    const result = await setup(["--parent", parentPageId]);

    expect(result.code).toBe(0);
    expect(emulator.stats.count(DB_CREATES)).toBe(3);
    expect(await databaseTitlesUnder(emulator, parentPageId)).toEqual(["Contacts", "Deals", "Activities"]);
    expect(envLines(result.stdout).NOTION_CONTACTS_DB_ID).toBe(
      (await clientFor(emulator).blocks.children.list({ block_id: parentPageId })).results[0]?.id,
    );
  });

  it("reports a database already under the page whose schema is wrong, by property, and creates nothing", async () => {
    emulator.admin.createDatabase({
      parentPageId,
      title: "Contacts",
      properties: { ...CRM_SEED.contacts.properties, Email: { rich_text: {} } },
    });

    const result = await setup(["--parent", parentPageId]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Contacts (NOTION_CONTACTS_DB_ID): property "Email" is rich_text, expected email');
    expect(result.stderr).toContain("nothing was created");
    expect(result.stdout).not.toMatch(/^NOTION_CONTACTS_DB_ID=/m);
    expect(emulator.stats.count(DB_CREATES)).toBe(0);
  });

  it("creates databases the server then accepts: a signed lead lands in the new Contacts with its activity", async () => {
    const ids = envLines((await setup(["--parent", parentPageId])).stdout);
    const config = loadConfig(
      { ...env(), ...ids, FORM_SECRET: "form-secret-for-tests", PORT: "0" },
      { require: SERVER_REQUIRED_SETTINGS, envFile: false },
    );
    const server = await startCrmServer(config, captureLogger().logger);
    try {
      const body = JSON.stringify({ email: "ann@example.com", name: "Ann Lee", message: "Call me" });
      const response = await request(server.url)
        .post("/lead")
        .set("Content-Type", "application/json")
        .set("X-Form-Signature", formSignatureHex(body, "form-secret-for-tests"))
        .send(body);

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: "created" });
      const notion = clientFor(emulator);
      const contactsSource = (await dataSourceOf(notion, ids.NOTION_CONTACTS_DB_ID!)).id;
      const activitiesSource = (await dataSourceOf(notion, ids.NOTION_ACTIVITIES_DB_ID!)).id;
      expect(emulator.admin.listPages(contactsSource).map((page) => page.id)).toEqual([response.body.id]);
      await eventually(() =>
        expect(emulator.admin.listPages(activitiesSource)[0]?.properties.Contact).toMatchObject({
          relation: [{ id: response.body.id }],
        }),
      );
    } finally {
      await server.stop();
    }
  });

  it("refuses a missing or malformed --parent with one line and the usage, before calling Notion", async () => {
    const missing = await setup([]);
    const malformed = await setup(["--parent", "not-a-page"]);

    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toContain("--parent is missing");
    expect(malformed.code).toBe(2);
    expect(malformed.stderr.trim()).toMatch(
      /^--parent "not-a-page" is not a Notion page id .* Usage: npm run setup-notion -- --parent <page id or URL>$/,
    );
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("names every missing thing at once: --parent and NOTION_TOKEN", async () => {
    const bare = await setup([], { NOTION_TOKEN: "" });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("--parent is missing");
    expect(bare.stderr).toContain("Configuration error: NOTION_TOKEN is required but not set");
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("says to share the page when Notion cannot see it, and needs NOTION_TOKEN alone", async () => {
    const unknownPage = "0123456789abcdef0123456789abcdef";
    const unshared = await setup(["--parent", unknownPage]);
    const noToken = await setup(["--parent", parentPageId], { NOTION_TOKEN: "" });

    expect(unshared.code).toBe(1);
    expect(unshared.stderr).toContain("Notion cannot find page 01234567-89ab-cdef-0123-456789abcdef");
    expect(unshared.stderr).toContain("share the page with the integration");
    expect(emulator.stats.count(DB_CREATES)).toBe(0);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr.trim()).toBe("Configuration error: NOTION_TOKEN is required but not set");
  });
});

function envLines(stdout: string): Record<string, string> {
  return Object.fromEntries(
    [...stdout.matchAll(/^(NOTION_[A-Z]+_DB_ID)=(\S+)$/gm)].map((match) => [match[1]!, match[2]!]),
  );
}

async function dataSourceOf(notion: Client, databaseId: string): Promise<DataSourceObjectResponse> {
  const database = await notion.databases.retrieve({ database_id: databaseId });
  const dataSourceId = "data_sources" in database ? database.data_sources[0]!.id : "";
  const dataSource = await notion.dataSources.retrieve({ data_source_id: dataSourceId });
  if (!isFullDataSource(dataSource)) throw new Error("partial data source");
  return dataSource;
}

function typesOf(dataSource: DataSourceObjectResponse): Record<string, string> {
  return Object.fromEntries(Object.entries(dataSource.properties).map(([name, config]) => [name, config.type]));
}

function optionNames(dataSource: DataSourceObjectResponse, property: string): string[] {
  const config = dataSource.properties[property];
  return config?.type === "select" ? config.select.options.map((option) => option.name) : [];
}

/** What the page holds, read back over HTTP independently of what setup printed. */
async function databaseTitlesUnder(emulator: NotionEmulator, pageId: string): Promise<string[]> {
  const children = await clientFor(emulator).blocks.children.list({ block_id: pageId });
  return children.results.flatMap((block) =>
    "type" in block && block.type === "child_database" ? [block.child_database.title] : [],
  );
}

function clientFor(emulator: NotionEmulator): Client {
  return new Client({ auth: emulator.token, baseUrl: emulator.url, notionVersion: "2025-09-03" });
}
