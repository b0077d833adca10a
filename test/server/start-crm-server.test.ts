import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { SERVER_REQUIRED_SETTINGS } from "../../src/config/settings.js";
import { startCrmServer, type CrmServer } from "../../src/server/start-crm-server.js";
import { captureLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { runTsFile } from "../support/run-node.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("the server", () => {
  let crm: CrmEmulator;
  let dir: ReturnType<typeof makeTempDir>;
  let server: CrmServer | undefined;

  const env = () => ({
    ...crm.notionEnv(),
    FORM_SECRET: "form-secret-for-tests",
    DATA_DIR: dir.path,
    PORT: "0",
  });

  beforeEach(async () => {
    crm = await startCrmEmulator();
    dir = makeTempDir();
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await crm.stop();
    dir.remove();
  });

  it("checks the schema, listens, and answers /healthz without calling Notion", async () => {
    const { logger, lines } = captureLogger();
    server = await startCrmServer(loadConfig(env(), { require: SERVER_REQUIRED_SETTINGS, envFile: false }), logger);
    // The schema check may still be finishing in the background (a burst now goes at once): let it settle.
    let settled = -1;
    while (settled !== crm.emulator.stats.requests.length) {
      settled = crm.emulator.stats.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const before = crm.emulator.stats.requests.length;
    const response = await request(server.url).get("/healthz");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ok" });
    expect(response.headers["x-request-id"]).toMatch(/.+/);
    expect(crm.emulator.stats.requests.length).toBe(before);
    expect(lines()).toContainEqual(expect.objectContaining({ msg: "request done", path: "/healthz", status: 200 }));
  });

  it("answers an unknown path with 404 JSON", async () => {
    server = await startCrmServer(
      loadConfig(env(), { require: SERVER_REQUIRED_SETTINGS, envFile: false }),
      captureLogger().logger,
    );
    const response = await request(server.url).get("/nope");
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: "not found" });
  });

  it("refuses to start when settings are missing, naming each on its own line and exiting non-zero", async () => {
    const result = await runTsFile("src/main.ts", { env: { DATA_DIR: dir.path, PORT: "not-a-port" } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n").sort()).toEqual([
      "Configuration error: FORM_SECRET is required but not set",
      "Configuration error: NOTION_CONTACTS_DB_ID is required but not set",
      "Configuration error: NOTION_TOKEN is required but not set",
      "Configuration error: PORT must be a number",
    ]);
  });

  it("refuses to start on a schema mismatch, naming every missing or mistyped property at once", async () => {
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Email", null);
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Status", { number: {} });
    crm.emulator.admin.updateProperty(crm.dataSources.deals, "Value", { rich_text: {} });
    const result = await runTsFile("src/main.ts", { env: { ...env(), LOG_LEVEL: "silent" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Contacts (NOTION_CONTACTS_DB_ID): property "Email" is missing (expected email)');
    expect(result.stderr).toContain(
      'Contacts (NOTION_CONTACTS_DB_ID): property "Status" is number, expected select or status',
    );
    expect(result.stderr).toContain('Deals (NOTION_DEALS_DB_ID): property "Value" is rich_text, expected number');
    expect(result.stderr).not.toContain(crm.emulator.token);
  });

  it("refuses to start with a token Notion does not accept, without printing the token", async () => {
    const result = await runTsFile("src/main.ts", {
      env: { ...env(), NOTION_TOKEN: "ntn_wrong_token_value", LOG_LEVEL: "silent" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Notion refused the token (NOTION_TOKEN)");
    expect(result.stderr).not.toContain("ntn_wrong_token_value");
  });
});
