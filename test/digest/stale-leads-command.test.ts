import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeFailure } from "../../src/notion/describe-failure.js";
import { loadConfig } from "../../src/config/load-config.js";
import { DIGEST_REQUIRED_SETTINGS, staleLeadsCommand } from "../../src/digest/stale-leads-command.js";
import { eventually } from "../support/crm-harness.js";
import { isolatedCwd, runTsFile, tsxArgs } from "../support/run-node.js";
import { daysAgo, startDigestHarness, type DigestHarness } from "./digest-harness.js";

const SCRIPT = "scripts/stale-leads.ts";

let h: DigestHarness;
beforeEach(async () => {
  h = await startDigestHarness();
  h.addContact({ name: "Old Olga", lastContacted: daysAgo(90) });
  h.addContact({ name: "<!channel> Ned" });
  h.addContact({ name: "Fresh Fay", lastContacted: daysAgo(2) });
});
afterEach(async () => {
  await h.stop();
});

const digest = (args: string[], env: Record<string, string> = {}) =>
  runTsFile(SCRIPT, { env: { ...h.env, ...env }, args });
const logLines = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("npm run stale-leads -- --once", () => {
  it("posts the digest and exits 0; run again the same day it posts nothing and asks Notion nothing; --force posts again", async () => {
    const first = await digest(["--once"]);
    expect(first, first.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(h.slack.received).toHaveLength(1);
    const text = h.slack.received[0]!.body.text;
    expect(text).toMatch(/^:hourglass: \*2 stale leads\*/);
    expect(text).toContain("|&lt;!channel&gt; Ned> · ");
    expect(text).not.toContain("<!channel>");
    expect(logLines(first.stdout)).toContainEqual(
      expect.objectContaining({ msg: "stale-lead digest finished", outcome: "sent", notionRequests: 3 }),
    );

    h.crm.emulator.stats.reset();
    const second = await digest(["--once"]);
    expect(second).toMatchObject({ code: 0, stderr: "" });
    expect(logLines(second.stdout)).toContainEqual(
      expect.objectContaining({ msg: expect.stringContaining("already sent today") }),
    );
    expect(h.crm.emulator.stats.requests).toHaveLength(0);
    expect(h.slack.received).toHaveLength(1);

    const forced = await digest(["--once", "--force"]);
    expect(forced).toMatchObject({ code: 0, stderr: "" });
    expect(h.slack.received).toHaveLength(2);
  });

  it("with --dry-run prints only the message on stdout and posts nothing", async () => {
    const dry = await digest(["--once", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(
      /^:hourglass: \*2 stale leads\*[^]*\n1\. <[^|]+\|&lt;!channel&gt; Ned>[^]*\n2\. <[^|]+\|Old Olga>[^]*\nOldest first\.\n$/,
    );
    expect(dry.stderr).toContain("dry run: digest built, nothing posted or recorded");
    expect(h.slack.attempts()).toBe(0);
    expect((await digest(["--once"])).code).toBe(0);
    expect(h.slack.received).toHaveLength(1);
  });

  it("exits 1 with one line on stderr when Slack refuses the digest", async () => {
    h.slack.replyNext({ status: 404, body: "no_service" });
    const result = await digest(["--once"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: Slack refused the stale-lead digest \(last answer: HTTP 404 no_service\)[^\n]*\n$/,
    );
    expect(result.stderr + result.stdout).not.toContain("test-hook-secret");
  });

  it("exits 1 with one line on stderr when Notion refuses the token", async () => {
    const result = await digest(["--once"], { NOTION_TOKEN: "secret_wrong_token" });
    expect(result).toMatchObject({
      code: 1,
      stderr: "Notion refused the token (NOTION_TOKEN): check that it is the integration's secret.\n",
    });
    expect(h.slack.attempts()).toBe(0);
  });

  it("needs NOTION_TOKEN and NOTION_CONTACTS_DB_ID, not FORM_SECRET", async () => {
    const result = await digest(["--once"], { NOTION_CONTACTS_DB_ID: "" });
    expect(result).toMatchObject({
      code: 1,
      stderr: "Configuration error: NOTION_CONTACTS_DB_ID is required but not set\n",
    });
  });
});

it("fails with Notion's error, for the one stderr line, when Notion stays down through the retries", async () => {
  h.crm.emulator.faults.unavailableFor(60_000, 503);
  const config = loadConfig(h.env, { require: DIGEST_REQUIRED_SETTINGS, envFile: false });
  const error = await staleLeadsCommand({ once: true, dryRun: false, force: false }, config, h.log.logger, {
    print: () => undefined,
    signal: new AbortController().signal,
    overrides: { backoffBaseMs: 5 },
  }).catch((caught: unknown) => caught);
  expect(describeFailure(error)).toBe(
    "Notion error: Notion did not complete databases.retrieve after 6 attempts: service_unavailable",
  );
  expect(h.slack.attempts()).toBe(0);
});

it("npm run stale-leads fires on DIGEST_CRON, posts once a day however often it fires, and stops on SIGTERM", async () => {
  const cwd = isolatedCwd();
  const child = spawn(process.execPath, tsxArgs(SCRIPT), {
    cwd: cwd.path,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...h.env, DIGEST_CRON: "* * * * * *" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit");
  try {
    await eventually(() => expect(h.slack.received).toHaveLength(1), { timeoutMs: 15_000 });
    await eventually(() => expect(output.match(/already sent today/g)?.length ?? 0).toBeGreaterThanOrEqual(2), {
      timeoutMs: 5_000,
    });
    expect(h.slack.received).toHaveLength(1);
    expect(logLines(output)).toContainEqual(
      expect.objectContaining({ msg: "stale-lead digest scheduled", cron: "* * * * * *", timeZone: "UTC" }),
    );
  } finally {
    child.kill("SIGTERM");
  }
  const [code] = await exited;
  cwd.remove();
  expect(code, output).toBe(0);
}, 30_000);
