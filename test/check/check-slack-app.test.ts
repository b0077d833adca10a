import { afterEach, describe, expect, it } from "vitest";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { runTsFile } from "../support/run-node.js";
import {
  ALL_SLACK_SCOPES,
  FAKE_SLACK_TOKEN,
  startSlackWebApiFake,
  type FakeSlackOptions,
  type SlackWebApiFake,
} from "../support/slack-web-api.js";
import { makeTempDir } from "../support/temp-dir.js";

const CHANNEL = "C0SALES0001";

describe("npm run check in Slack app mode", () => {
  let crm: CrmEmulator | undefined;
  let slack: SlackWebApiFake | undefined;
  let dir: ReturnType<typeof makeTempDir> | undefined;
  afterEach(async () => {
    await slack?.stop();
    await crm?.stop();
    dir?.remove();
    [crm, slack, dir] = [undefined, undefined, undefined];
  });

  async function check(env: Record<string, string> = {}, fake: FakeSlackOptions = {}) {
    crm ??= await startCrmEmulator();
    slack ??= await startSlackWebApiFake(fake);
    dir ??= makeTempDir();
    const result = await runTsFile("scripts/check.ts", {
      env: {
        ...crm.notionEnv(),
        NOTION_RATE_LIMIT_RPS: "100",
        FORM_SECRET: "form-secret-for-slack-check",
        NOTION_WEBHOOK_SECRET: "webhook-secret-for-slack-check",
        SLACK_BOT_TOKEN: FAKE_SLACK_TOKEN,
        SLACK_CHANNEL: CHANNEL,
        SLACK_API_URL: slack.url,
        DATA_DIR: dir.path,
        ...env,
      },
    });
    for (const secret of [FAKE_SLACK_TOKEN, "xoxb-revoked-token-1234"]) {
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
    return result;
  }

  it("names the workspace and the bot, finds every scope and the channel, and says whether Contacts has an Owner", async () => {
    const result = await check();
    expect(result.code).toBe(0);
    for (const line of [
      '✓ Slack app: SLACK_BOT_TOKEN is accepted: workspace "Acme", bot "crm-bot"',
      "✓ Slack app: the token has every scope the features need",
      `✓ Slack app: #sales (${CHANNEL}) is reachable; the app is a member`,
      '✓ Slack app: Contacts has no "Owner" (people) property: the digest goes to the channel only',
    ]) {
      expect(result.stdout).toContain(line);
    }
    // In app mode an unset webhook URL is no warning.
    expect(result.stdout).not.toContain("SLACK_WEBHOOK_URL is not set");
    expect(slack!.callsOf("auth.test")).toHaveLength(1);
    expect(slack!.callsOf("conversations.info").map((call) => call.args["channel"])).toEqual([CHANNEL]);
    expect(slack!.callsOf("chat.postMessage")).toHaveLength(0);
  });

  it("says buttons are on with SLACK_SIGNING_SECRET, and off (a warning) without it", async () => {
    const on = await check({ SLACK_SIGNING_SECRET: "signing-secret-for-slack-check" });
    expect(on.stdout).toContain("✓ Slack app: SLACK_SIGNING_SECRET is set: clicks arrive at POST /slack/actions");
    expect(on.stdout + on.stderr).not.toContain("signing-secret-for-slack-check");
    const off = await check();
    expect(off.stdout).toContain("SLACK_SIGNING_SECRET is not set: messages carry no buttons");
  });

  it("fails when Status is a status property without the STATUS_CONTACTED and STATUS_NOT_A_FIT options", async () => {
    crm = await startCrmEmulator();
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Status", {
      status: { options: [{ name: "new lead" }, { name: "contacted" }] },
    });
    const result = await check({ SLACK_SIGNING_SECRET: "signing-secret-for-slack-check" });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain('STATUS_NOT_A_FIT: the status property "Status" has no option "not a fit"');
    expect(result.stdout).not.toContain("STATUS_CONTACTED: the status");
  });

  it("reports a Contacts Owner (people) property: each owner gets their stale leads", async () => {
    crm = await startCrmEmulator();
    crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Owner", { people: {} });
    const result = await check();
    expect(result.stdout).toContain(
      '✓ Slack app: Contacts has an "Owner" (people) property: the digest also messages each owner their own stale leads',
    );
  });

  it("reports a refused token (invalid_auth) and exits non-zero", async () => {
    const result = await check({ SLACK_BOT_TOKEN: "xoxb-revoked-token-1234" });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✗ Slack app: Slack refused SLACK_BOT_TOKEN (invalid_auth)");
    expect(slack!.callsOf("auth.test").map((call) => call.authorized)).toEqual([false]);
  });

  it("reports a channel Slack does not know (channel_not_found) and exits non-zero", async () => {
    const result = await check({ SLACK_CHANNEL: "C0NOPE0000" });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✗ Slack app: SLACK_CHANNEL C0NOPE0000 was not found (channel_not_found)");
  });

  it("names the scopes each feature lacks, from auth.test's x-oauth-scopes header", async () => {
    const result = await check({}, { scopes: ["chat:write"], channels: [{ id: CHANNEL, name: "sales" }] });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "! Slack app: mentioning deal owners needs the bot scopes users:read, users:read.email",
    );
    // Direct messages are chat.postMessage to a user id: chat:write is all they need.
    expect(result.stdout).not.toContain("im:write");
    expect(result.stdout).toContain(
      `✗ Slack app: the app is not in #sales (${CHANNEL}) (not_in_channel): invite it (/invite @the app) or add the chat:write.public scope`,
    );
  });

  it("fails without chat:write, and passes a channel the app is not in with chat:write.public", async () => {
    const scopes = ALL_SLACK_SCOPES.filter((scope) => scope !== "chat:write");
    const result = await check({}, { scopes, channels: [{ id: CHANNEL, name: "sales" }] });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✗ Slack app: posting messages needs the bot scope chat:write");
    expect(result.stdout).toContain(`✓ Slack app: #sales (${CHANNEL}) is reachable; it posts without joining`);
  });

  it("reports app mode half set up", async () => {
    const result = await check({ SLACK_CHANNEL: "" });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✗ Slack app: SLACK_CHANNEL is not set: app mode needs both");
  });
});
