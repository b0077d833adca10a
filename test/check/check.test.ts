import { writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { runTsFile } from "../support/run-node.js";
import { startTurnstileFake, TURNSTILE_REAL_SECRET } from "../support/turnstile-fake.js";
import { makeTempDir } from "../support/temp-dir.js";

const TOKEN = "ntn_check_test_token_4f9a";
const FORM_SECRET = "form-secret-for-check-tests";
const WEBHOOK_SECRET = "notion-webhook-secret-for-check-tests";
const SLACK_URL = "https://hooks.slack.com/services/T0001/B0001/check-test-slack-secret";

describe("npm run check", () => {
  let crm: CrmEmulator;
  let dir: ReturnType<typeof makeTempDir>;

  const goodEnv = () => ({
    ...crm.notionEnv(),
    NOTION_RATE_LIMIT_RPS: "100",
    FORM_SECRET,
    NOTION_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SLACK_WEBHOOK_URL: SLACK_URL,
    DATA_DIR: dir.path,
  });
  const check = (env: Record<string, string> = {}) => runTsFile("scripts/check.ts", { env: { ...goodEnv(), ...env } });

  beforeEach(async () => {
    crm = await startCrmEmulator({ token: TOKEN });
    dir = makeTempDir();
  });
  afterEach(async () => {
    await crm.stop();
    dir.remove();
  });

  it("passes with a ✓ line for each area when everything is right, and prints no secret", async () => {
    const result = await check();

    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("✗");
    for (const line of [
      "✓ Settings: everything the server needs is set and well-formed",
      `✓ Notion: reachable at ${crm.emulator.url}; the token is accepted`,
      "✓ Notion users: the integration can read user information: deal alerts name owners",
      "✓ Notion schema: Contacts (NOTION_CONTACTS_DB_ID) matches",
      "✓ Notion schema: Deals (NOTION_DEALS_DB_ID) matches",
      "✓ Notion schema: Activities (NOTION_ACTIVITIES_DB_ID) matches",
      "✓ Slack: SLACK_WEBHOOK_URL is a Slack incoming-webhook URL",
      "✓ Deal alerts: by webhook and poll every 300 s (DEALS_POLL_SECONDS), which catches what a delivery missed",
      `✓ State file: ${join(dir.path, "crm.sqlite")} is writable`,
      "All checks passed.",
    ]) {
      expect(result.stdout).toContain(line);
    }
    expect(crm.emulator.stats.count({ path: /^\/v1\/users\/me$/ })).toBe(1);
    // The state file's size, so an operator sees it grow (or not).
    expect(result.stdout).toMatch(/State file: .* is writable \(DATA_DIR\); \d+(\.\d)? (B|KB|MB) on disk/);
    expectNoSecrets(result);
  });

  it("warns, naming the capability, when the integration cannot read user information", async () => {
    await crm.stop();
    crm = await startCrmEmulator({ token: TOKEN, readUserInformation: false });
    const result = await check();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("! Notion users: the integration cannot read user information");
    expect(result.stdout).toContain('turn on "Read user information"');
  });

  it("says a page id pasted as a database id is a page, not a database", async () => {
    const page = crm.emulator.admin.createWorkspacePage("CRM");
    const result = await check({ NOTION_CONTACTS_DB_ID: page });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "✗ Notion schema: Contacts (NOTION_CONTACTS_DB_ID): this id is a page, not a database",
    );
    expect(result.stdout).not.toContain("Contacts (NOTION_CONTACTS_DB_ID): database not found");
  });

  it("names every broken property of every database and exits non-zero", async () => {
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Email", null);
    crm.emulator.admin.updateProperty(crm.dataSources.deals, "Stage", { rich_text: {} });

    const result = await check();

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✗ Notion schema: Contacts (NOTION_CONTACTS_DB_ID): property "Email" is missing (expected email)',
    );
    expect(result.stdout).toContain(
      '✗ Notion schema: Deals (NOTION_DEALS_DB_ID): property "Stage" is rich_text, expected select or status',
    );
    expect(result.stdout).toContain("✓ Notion schema: Activities (NOTION_ACTIVITIES_DB_ID) matches");
    expect(result.stdout).toContain("2 problems found");
  });

  it("fails a TURNSTILE_VERIFY_URL that does not answer like siteverify, and exits non-zero", async () => {
    const cloudflare = await startTurnstileFake();
    try {
      const result = await check({
        FORM_ALLOWED_ORIGINS: "https://www.example.com",
        TURNSTILE_SECRET: TURNSTILE_REAL_SECRET,
        TURNSTILE_VERIFY_URL: cloudflare.url.replace("siteverify", "siteverfy"),
      });
      expect(result.stdout).toMatch(/✗ Turnstile: TURNSTILE_VERIFY_URL does not answer like Cloudflare's siteverify/);
      expect(result.stdout + result.stderr).not.toContain(TURNSTILE_REAL_SECRET);
      expect(result.code).toBe(1);
    } finally {
      await cloudflare.stop();
    }
  });

  it("says Notion refused the token, without printing it, and skips the schema", async () => {
    const wrongToken = "ntn_wrong_token_that_must_not_be_printed";

    const result = await check({ NOTION_TOKEN: wrongToken });

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("refused the token: NOTION_TOKEN is not a valid integration secret");
    expect(result.stdout).toContain("- Notion schema: not checked");
    expect(result.stdout + result.stderr).not.toContain(wrongToken);
  });

  it("reports an unreachable Notion, naming NOTION_BASE_URL", async () => {
    const closedPort = await freePort();

    const result = await check({ NOTION_BASE_URL: `http://127.0.0.1:${closedPort}` });

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `✗ Notion: cannot reach Notion at http://127.0.0.1:${closedPort} (NOTION_BASE_URL)`,
    );
    expect(result.stdout).toContain("ECONNREFUSED");
  });

  // "Within seconds" is a count: a check tries Notion CHECK_MAX_ATTEMPTS times,
  // not the server's patient number of retries.
  it("gives up on a Notion that drops every connection after CHECK_MAX_ATTEMPTS tries", async () => {
    const { CHECK_MAX_ATTEMPTS, runChecks } = await import("../../src/check/run-checks.js");
    let connections = 0;
    const dropper = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropper.listen(0, "127.0.0.1", resolve));
    const { port } = dropper.address() as AddressInfo;
    try {
      const results = await runChecks(
        { ...goodEnv(), NOTION_BASE_URL: `http://127.0.0.1:${port}` },
        { envFile: false, gateway: { backoffBaseMs: 1 } },
      );
      expect(results.find((result) => result.name === "Notion")).toMatchObject({ outcome: "fail" });
      expect(connections).toBe(CHECK_MAX_ATTEMPTS);
    } finally {
      await new Promise((resolve) => dropper.close(resolve));
    }
  });

  it("reports a DATA_DIR it cannot write, and still checks Notion", async () => {
    const file = join(dir.path, "not-a-directory");
    writeFileSync(file, "");

    const result = await check({ DATA_DIR: join(file, "data") });

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✗ State file: cannot write ${join(file, "data", "crm.sqlite")} (DATA_DIR)`);
    expect(result.stdout).toContain("✓ Notion schema: Contacts (NOTION_CONTACTS_DB_ID) matches");
  });

  it("names each setting the server lacks and each malformed one, and still checks the rest", async () => {
    const result = await check({
      NOTION_TOKEN: "",
      FORM_SECRET: "",
      NOTION_CONTACTS_DB_ID: "not-an-id",
      NOTION_DEALS_DB_ID: "",
      SLACK_WEBHOOK_URL: "",
    });

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✗ Settings: NOTION_TOKEN is not set: the server needs it");
    expect(result.stdout).toContain("✗ Settings: FORM_SECRET is not set: the server needs it");
    expect(result.stdout).toContain("✗ Settings: NOTION_CONTACTS_DB_ID must be a 32-hex Notion id");
    expect(result.stdout).not.toContain("NOTION_CONTACTS_DB_ID is not set");
    expect(result.stdout).toContain("! Settings: NOTION_DEALS_DB_ID is not set: /notion-webhook needs it");
    expect(result.stdout).toContain("! Slack: SLACK_WEBHOOK_URL is not set: messages go to the log");
    expect(result.stdout).toContain("✓ State file:");
  });

  it("passes with warnings when only optional things are missing", async () => {
    const result = await check({
      NOTION_WEBHOOK_SECRET: "",
      NOTION_ACTIVITIES_DB_ID: "",
      SLACK_WEBHOOK_URL: "http://127.0.0.1:9/slack-stand-in",
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("! Settings: NOTION_WEBHOOK_SECRET is not set");
    expect(result.stdout).toContain("- Notion schema: Activities (NOTION_ACTIVITIES_DB_ID): not set (optional)");
    expect(result.stdout).toContain("! Slack: SLACK_WEBHOOK_URL is not on hooks.slack.com");
    expect(result.stdout).not.toContain("127.0.0.1:9");
    expect(result.stdout).toContain("All checks passed (2 warnings).");
  });

  function expectNoSecrets(result: { stdout: string; stderr: string }): void {
    for (const secret of [TOKEN, FORM_SECRET, WEBHOOK_SECRET, SLACK_URL, "check-test-slack-secret"]) {
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
  }
});

/** A port nothing listens on: taken from the OS, then released. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
