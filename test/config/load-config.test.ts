import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { problemsOf } from "../support/config-problems.js";
import { loadConfig, secretValues } from "../../src/config/load-config.js";
import { makeTempDir } from "../support/temp-dir.js";

const CONTACTS_HEX = "0123456789abcdef0123456789abcdef";
const CONTACTS_UUID = "01234567-89ab-cdef-0123-456789abcdef";

describe("loadConfig", () => {
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.remove());

  const noFile = { envFile: false } as const;

  it("applies the contract's defaults when nothing is set", () => {
    const config = loadConfig({}, noFile);
    expect(config).toMatchObject({
      NOTION_BASE_URL: "https://api.notion.com",
      NOTION_REQUESTS_PER_MINUTE: 180,
      HOST: "127.0.0.1",
      PORT: 3000,
      DATA_DIR: "./data",
      STALE_LEAD_DAYS: 30,
      DIGEST_CRON: "0 9 * * *",
      LOG_LEVEL: "info",
      SLACK_API_URL: "https://slack.com/api",
    });
    expect(config.SLACK_BOT_TOKEN).toBeUndefined();
    expect(config.DIGEST_TZ).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(config.NOTION_TOKEN).toBeUndefined();
  });

  it("reads Notion's budget per minute, or the older per-second name (3 means 180); the per-minute name wins", () => {
    expect(loadConfig({ NOTION_REQUESTS_PER_MINUTE: "600" }, noFile).NOTION_REQUESTS_PER_MINUTE).toBe(600);
    expect(loadConfig({ NOTION_RATE_LIMIT_RPS: "3" }, noFile).NOTION_REQUESTS_PER_MINUTE).toBe(180);
    expect(loadConfig({ NOTION_RATE_LIMIT_RPS: "10" }, noFile).NOTION_REQUESTS_PER_MINUTE).toBe(600);
    expect(
      loadConfig({ NOTION_RATE_LIMIT_RPS: "3", NOTION_REQUESTS_PER_MINUTE: "600" }, noFile).NOTION_REQUESTS_PER_MINUTE,
    ).toBe(600);
  });

  it("parses numbers, normalises database ids and trims the base URL's slash", () => {
    const config = loadConfig(
      {
        NOTION_BASE_URL: "http://127.0.0.1:4010/",
        NOTION_CONTACTS_DB_ID: `https://www.notion.so/acme/Contacts-${CONTACTS_HEX}?v=1`,
        NOTION_DEALS_DB_ID: CONTACTS_UUID.toUpperCase(),
        NOTION_RATE_LIMIT_RPS: "2.5",
        PORT: "8080",
        STALE_LEAD_DAYS: "14",
        DIGEST_TZ: "Europe/Berlin",
        DIGEST_CRON: "30 8 * * 1-5",
      },
      noFile,
    );
    expect(config.NOTION_BASE_URL).toBe("http://127.0.0.1:4010");
    expect(config.NOTION_CONTACTS_DB_ID).toBe(CONTACTS_UUID);
    expect(config.NOTION_DEALS_DB_ID).toBe(CONTACTS_UUID);
    expect(config.NOTION_REQUESTS_PER_MINUTE).toBe(150);
    expect(config.PORT).toBe(8080);
    expect(config.STALE_LEAD_DAYS).toBe(14);
  });

  it.each([
    ["NOTION_CONTACTS_DB_ID", "not-an-id", "NOTION_CONTACTS_DB_ID must be a 32-hex Notion id"],
    ["NOTION_RATE_LIMIT_RPS", "fast", "NOTION_RATE_LIMIT_RPS must be a number"],
    ["NOTION_RATE_LIMIT_RPS", "0", "NOTION_RATE_LIMIT_RPS must be greater than 0"],
    ["NOTION_REQUESTS_PER_MINUTE", "lots", "NOTION_REQUESTS_PER_MINUTE must be a number"],
    ["NOTION_REQUESTS_PER_MINUTE", "0", "NOTION_REQUESTS_PER_MINUTE must be at least 1"],
    ["NOTION_REQUESTS_PER_MINUTE", "180.5", "NOTION_REQUESTS_PER_MINUTE must be a whole number"],
    ["PORT", "80.5", "PORT must be a whole number"],
    ["PORT", "70000", "PORT "],
    ["STALE_LEAD_DAYS", "-3", "STALE_LEAD_DAYS "],
    ["DIGEST_CRON", "every morning", "DIGEST_CRON must be a cron expression"],
    ["DIGEST_TZ", "Mars/Olympus", "DIGEST_TZ must be an IANA time zone"],
    ["LOG_LEVEL", "loud", "LOG_LEVEL must be one of"],
    ["SLACK_WEBHOOK_URL", "hooks.slack.com/services/x", "SLACK_WEBHOOK_URL must be an http(s) URL"],
    ["NOTION_BASE_URL", "ftp://api.notion.com", "NOTION_BASE_URL must be an http(s) URL"],
    ["SLACK_API_URL", "slack.com/api", "SLACK_API_URL must be an http(s) URL"],
  ])("names %s when it is malformed", (name, value, expected) => {
    const problems = problemsOf(() => loadConfig({ [name]: value }, noFile));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it("reports every missing required setting and every malformed one at once", () => {
    const problems = problemsOf(() =>
      loadConfig(
        { PORT: "x", NOTION_CONTACTS_DB_ID: "nope" },
        { ...noFile, require: ["NOTION_TOKEN", "FORM_SECRET", "NOTION_CONTACTS_DB_ID"] },
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "NOTION_TOKEN is required but not set",
        "FORM_SECRET is required but not set",
        expect.stringContaining("PORT must be a number"),
        expect.stringContaining("NOTION_CONTACTS_DB_ID must be"),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it("polls deals every 300 s unless DEALS_POLL_SECONDS says otherwise; 0 turns it off, fractions and negatives are refused", () => {
    expect(loadConfig({}, noFile).DEALS_POLL_SECONDS).toBe(300);
    expect(loadConfig({ DEALS_POLL_SECONDS: "0" }, noFile).DEALS_POLL_SECONDS).toBe(0);
    expect(loadConfig({ DEALS_POLL_SECONDS: "60" }, noFile).DEALS_POLL_SECONDS).toBe(60);
    expect(problemsOf(() => loadConfig({ DEALS_POLL_SECONDS: "1.5" }, noFile))).toEqual([
      expect.stringContaining("DEALS_POLL_SECONDS must be a whole number of seconds"),
    ]);
    expect(problemsOf(() => loadConfig({ DEALS_POLL_SECONDS: "-1" }, noFile))).toEqual([
      expect.stringContaining("DEALS_POLL_SECONDS must be 0 (off) or more"),
    ]);
  });

  it("treats an empty or blank value as unset", () => {
    const problems = problemsOf(() =>
      loadConfig({ NOTION_TOKEN: "  ", NOTION_ACTIVITIES_DB_ID: "" }, { ...noFile, require: ["NOTION_TOKEN"] }),
    );
    expect(problems).toEqual(["NOTION_TOKEN is required but not set"]);
  });

  it("never echoes a secret's value in an error", () => {
    const secretUrl = "not a url but secret-slack-value";
    const problems = problemsOf(() => loadConfig({ SLACK_WEBHOOK_URL: secretUrl }, noFile));
    expect(problems.join("\n")).not.toContain("secret-slack-value");
  });

  it("counts SLACK_BOT_TOKEN as a secret", () => {
    expect(
      secretValues(loadConfig({ SLACK_BOT_TOKEN: "xoxb-1-2-secret", SLACK_CHANNEL: "C0123456789" }, noFile)),
    ).toContain("xoxb-1-2-secret");
  });

  it("reads an optional .env file and lets the environment win over it", () => {
    const envFile = join(dir.path, ".env");
    writeFileSync(
      envFile,
      `# comment\nNOTION_TOKEN=from-file\nFORM_SECRET="file secret"\nPORT=4000\nNOTION_ACTIVITIES_DB_ID=\n`,
    );
    const config = loadConfig({ PORT: "5000" }, { envFile, require: ["NOTION_TOKEN", "FORM_SECRET"] });
    expect(config.NOTION_TOKEN).toBe("from-file");
    expect(config.FORM_SECRET).toBe("file secret");
    expect(config.PORT).toBe(5000);
    expect(config.NOTION_ACTIVITIES_DB_ID).toBeUndefined();
  });

  it("runs without a .env file", () => {
    expect(loadConfig({}, { envFile: join(dir.path, "missing.env") }).PORT).toBe(3000);
  });

  it("lists the secret values for redaction", () => {
    const config = loadConfig(
      {
        NOTION_TOKEN: "ntn_abc123",
        FORM_SECRET: "form-secret",
        SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/X",
      },
      noFile,
    );
    expect(secretValues(config).sort()).toEqual([
      "form-secret",
      "https://hooks.slack.com/services/T/B/X",
      "ntn_abc123",
    ]);
  });
});
