import Database from "better-sqlite3";
import { SERVER_REQUIRED_SETTINGS } from "../../src/config/settings.js";
import { join } from "node:path";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { startCrmServer, type CrmServer, type CrmServerOverrides } from "../../src/server/start-crm-server.js";
import { STATE_FILE_NAME } from "../../src/store/open-store.js";
import { captureLogger, type CapturedLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { eventually, FORM_SECRET } from "../support/crm-harness.js";
import { formSignatureHex } from "../support/sign.js";
import { makeTempDir } from "../support/temp-dir.js";

// A restart during a Notion incident must not refuse form posts: the server
// listens at once and checks the schema in the background.
describe("starting while Notion is in trouble", () => {
  let crm: CrmEmulator;
  let dir: ReturnType<typeof makeTempDir>;
  let server: CrmServer | undefined;
  let log: CapturedLogger;

  beforeEach(async () => {
    crm = await startCrmEmulator();
    dir = makeTempDir("crm-listen-");
    log = captureLogger();
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await crm.stop();
    dir.remove();
  });

  const start = (overrides: CrmServerOverrides = {}) =>
    startCrmServer(
      loadConfig(
        { ...crm.notionEnv(), NOTION_RATE_LIMIT_RPS: "100", FORM_SECRET, DATA_DIR: dir.path, PORT: "0" },
        { require: SERVER_REQUIRED_SETTINGS, envFile: false },
      ),
      log.logger,
      {
        backoffBaseMs: 20,
        attemptTimeoutMs: 500,
        retryBaseMs: 50,
        schemaRetryBaseMs: 50,
        slackRetryBaseMs: 50,
        leadResponseWaitMs: 0,
        startupSchemaWaitMs: 100,
        ...overrides,
      },
    );

  const postLead = (url: string, lead: object) => {
    const raw = JSON.stringify(lead);
    return request(url)
      .post("/lead")
      .set("Content-Type", "application/json")
      .set("X-Form-Signature", formSignatureHex(raw, FORM_SECRET))
      .send(raw);
  };
  const contactEmails = () =>
    crm.emulator.admin
      .listPages(crm.dataSources.contacts)
      .map((page) => (page.properties.Email as { email: string }).email);

  async function expectServingWhileChecking(url: string) {
    const health = await request(url).get("/healthz");
    expect(health.status).toBe(200);
    const lead = await postLead(url, { email: "early@example.com", name: "Early" });
    expect(lead.status).toBe(202);
    expect(lead.body).toEqual({ status: "queued", id: expect.any(String) });
    expect(contactEmails()).toEqual([]);
  }

  it("listens and queues leads while Notion hangs, and writes them once it answers", async () => {
    // The first schema-check requests never get an answer; each attempt times out.
    crm.emulator.faults.failNext(3, { kind: "hang" });
    server = await start();
    expect(crm.emulator.stats.requests.filter((entry) => entry.status !== 0)).toEqual([]);
    await expectServingWhileChecking(server.url);
    await eventually(() => expect(contactEmails()).toEqual(["early@example.com"]), { timeoutMs: 20_000 });
  });

  it("listens and queues leads while Notion answers 529 with a long Retry-After", async () => {
    crm.emulator.faults.unavailableFor(1_000, 529, { retryAfterSeconds: 2 });
    server = await start();
    // Started before Notion answered anything but 529.
    expect(crm.emulator.stats.requests.filter((entry) => entry.status !== 529)).toEqual([]);
    await expectServingWhileChecking(server.url);
    await eventually(() => expect(contactEmails()).toEqual(["early@example.com"]), { timeoutMs: 20_000 });
    expect(crm.emulator.stats.count({ status: 529 })).toBeGreaterThan(0);
  });

  it("writes nothing when the late answer is a wrong schema: logs every problem and queues one operator alert", async () => {
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Email", null);
    crm.emulator.admin.updateProperty(crm.dataSources.deals, "Value", { rich_text: {} });
    crm.emulator.faults.failNext(1, { kind: "hang" });
    server = await start();
    const lead = await postLead(server.url, { email: "wrong@example.com" });
    expect(lead.status).toBe(202);

    await eventually(() =>
      expect(log.lines()).toContainEqual(
        expect.objectContaining({
          level: 50,
          problems: [
            'Contacts (NOTION_CONTACTS_DB_ID): property "Email" is missing (expected email)',
            'Deals (NOTION_DEALS_DB_ID): property "Value" is rich_text, expected number',
          ],
        }),
      ),
    );
    // The check is retried (a person may be fixing it); the alert is not repeated.
    await eventually(() =>
      expect(
        log.lines().filter((line) => line.msg === "Notion schema check failed; leads stay queued until it passes")
          .length,
      ).toBeGreaterThanOrEqual(2),
    );
    const db = new Database(join(dir.path, STATE_FILE_NAME), { readonly: true });
    try {
      const alerts = db
        .prepare("SELECT payload_json FROM slack_outbox WHERE dedupe_key LIKE 'operator:%'")
        .all() as Array<{
        payload_json: string;
      }>;
      expect(alerts).toHaveLength(1);
      expect(JSON.parse(alerts[0]!.payload_json).text).toContain('property "Email" is missing');
      expect(db.prepare("SELECT state FROM lead_submissions").all()).toEqual([{ state: "queued" }]);
    } finally {
      db.close();
    }
    expect(crm.emulator.admin.listPages(crm.dataSources.contacts)).toEqual([]);
    expect(crm.emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/ })).toBe(0);
  });

  it("still refuses to start on a wrong schema that Notion reports at once", async () => {
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Email", null);
    await expect(start({ startupSchemaWaitMs: 10_000 })).rejects.toThrow('property "Email" is missing');
  });
});
