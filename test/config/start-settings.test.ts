import { afterEach, describe, expect, it } from "vitest";
import { checkSettings } from "../../src/check/check-settings.js";
import { loadConfig } from "../../src/config/load-config.js";
import { SERVER_REQUIRED_SETTINGS, SERVER_SETTINGS } from "../../src/config/settings.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { problemsOf } from "../support/config-problems.js";
import { runTsFile, spawnServer } from "../support/run-node.js";
import { makeTempDir } from "../support/temp-dir.js";

// `npm start` validates every setting it reads, with the same rules as
// `npm run check`, and none that only another command reads.
const noFile = { envFile: false } as const;
const REQUIRED = {
  NOTION_TOKEN: "ntn_start_settings_token",
  NOTION_CONTACTS_DB_ID: "0123456789abcdef0123456789abcdef",
  FORM_SECRET: "form-secret-for-start-settings",
};
const WRONG_SLACK_URLS = [
  "http://hooks.slack.com/services/T0001/B0001/secretpart",
  "https://hooks.slack.com/workflows/T0001/A0001/123/secretpart",
  "https://hooks.slack.com/services/T0001",
];

describe("Slack webhook URLs: one rule for the server and check", () => {
  it.each(WRONG_SLACK_URLS)("refuses %s at load, naming the setting and not the URL", (url) => {
    for (const name of ["SLACK_WEBHOOK_URL", "SLACK_ALERTS_WEBHOOK_URL"]) {
      const problems = problemsOf(() => loadConfig({ ...REQUIRED, [name]: url }, noFile));
      expect(problems).toEqual([
        expect.stringMatching(new RegExp(`^${name} must look like https://hooks.slack.com/services/`)),
      ]);
      expect(problems.join("\n")).not.toContain("secretpart");
    }
  });

  it("takes a Slack webhook URL, and a relay or stand-in on another host", () => {
    const config = loadConfig(
      {
        ...REQUIRED,
        SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T0001/B0001/abc",
        SLACK_ALERTS_WEBHOOK_URL: "http://127.0.0.1:9/slack-stand-in",
      },
      noFile,
    );
    expect(config.SLACK_WEBHOOK_URL).toBe("https://hooks.slack.com/services/T0001/B0001/abc");
    expect(config.SLACK_ALERTS_WEBHOOK_URL).toBe("http://127.0.0.1:9/slack-stand-in");
  });

  it("is what check reports as a failed setting", () => {
    const { results, malformed } = checkSettings({ ...REQUIRED, SLACK_WEBHOOK_URL: WRONG_SLACK_URLS[0] }, false);
    expect(malformed.has("SLACK_WEBHOOK_URL")).toBe(true);
    expect(results).toContainEqual({
      name: "Settings",
      outcome: "fail",
      detail: expect.stringMatching(/^SLACK_WEBHOOK_URL must look like/),
    });
  });
});

describe("the server's settings", () => {
  it("leave out only what the digest alone reads", () => {
    expect(SERVER_SETTINGS).not.toContain("DIGEST_CRON");
    expect(SERVER_SETTINGS).not.toContain("DIGEST_TZ");
    expect(SERVER_SETTINGS).not.toContain("STALE_LEAD_DAYS");
    for (const name of [...SERVER_REQUIRED_SETTINGS, "SLACK_WEBHOOK_URL", "FORM_SECRET_PREVIOUS", "PORT"] as const)
      expect(SERVER_SETTINGS).toContain(name);
  });

  it("are all that loadConfig validates when told so", () => {
    const env = { ...REQUIRED, DIGEST_CRON: "every morning", DIGEST_TZ: "Mars/Olympus", STALE_LEAD_DAYS: "-1" };
    expect(problemsOf(() => loadConfig(env, noFile))).toHaveLength(3);
    const config = loadConfig(env, { ...noFile, uses: SERVER_SETTINGS });
    expect(config.DIGEST_CRON).toBe("0 9 * * *");
    expect(problemsOf(() => loadConfig({ ...env, PORT: "http" }, { ...noFile, uses: SERVER_SETTINGS }))).toEqual([
      "PORT must be a number",
    ]);
  });

  it("tells the operator about a FORM_SECRET rotation left half-done (check)", () => {
    const rotating = checkSettings({ ...REQUIRED, FORM_SECRET_PREVIOUS: "the-old-form-secret" }, false);
    expect(rotating.results).toContainEqual(
      expect.objectContaining({ outcome: "warn", detail: expect.stringContaining("FORM_SECRET_PREVIOUS is set") }),
    );
    expect(JSON.stringify(rotating.results)).not.toContain("the-old-form-secret");
  });
});

describe("npm start", () => {
  let crm: CrmEmulator | undefined;
  let dir: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    await crm?.stop();
    dir?.remove();
    crm = undefined;
    dir = undefined;
  });

  it("refuses a SLACK_WEBHOOK_URL that check calls an error, with one line naming it", async () => {
    dir = makeTempDir();
    const result = await runTsFile("src/main.ts", {
      env: { ...REQUIRED, DATA_DIR: dir.path, PORT: "0", SLACK_WEBHOOK_URL: WRONG_SLACK_URLS[0]! },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("SLACK_WEBHOOK_URL must look like https://hooks.slack.com/services/");
    expect(result.stdout + result.stderr).not.toContain("secretpart");
  });

  it("starts with a malformed digest setting it never reads", async () => {
    crm = await startCrmEmulator();
    dir = makeTempDir();
    const server = await spawnServer({
      ...crm.notionEnv(),
      FORM_SECRET: REQUIRED.FORM_SECRET,
      DATA_DIR: dir.path,
      PORT: "0",
      DEALS_POLL_SECONDS: "0",
      DIGEST_CRON: "every morning",
    });
    try {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      await server.kill("SIGTERM");
    }
  });
});
