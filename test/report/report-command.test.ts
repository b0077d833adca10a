import { PNG } from "pngjs";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { recordDealSighting } from "../../src/deal-history/deal-history.js";
import { recordFirstTouch, recordLeadArrival } from "../../src/first-touch/first-touches.js";
import { REPORT_REQUIRED_SETTINGS, reportCommand } from "../../src/report/report-command.js";
import { openStore } from "../../src/store/open-store.js";
import { NOTION_VERSION } from "../../src/crm-schema/crm-schema.js";
import { captureLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { runTsFile } from "../support/run-node.js";
import { startSlackReceiver } from "../support/slack-receiver.js";
import { startSlackWebApiFake, type SlackWebApiFake } from "../support/slack-web-api.js";
import { makeTempDir } from "../support/temp-dir.js";

const DAY = 86_400_000;
const QUERY_PATH = /^\/v1\/data_sources\/[^/]+\/query$/;

let crm: CrmEmulator;
let dir: ReturnType<typeof makeTempDir>;
let alice: string;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

function addDeal(name: string, stage: string, value: number, { edited = 1, created = 40, owner = "" } = {}) {
  return crm.emulator.admin.insertPage(
    crm.dataSources.deals,
    {
      "Deal Name": { title: [{ text: { content: name } }] },
      Stage: { select: { name: stage } },
      Value: { number: value },
      ...(owner !== "" && { Owner: { people: [{ id: owner }] } }),
    },
    { createdTime: ago(created), lastEditedTime: ago(edited) },
  );
}

beforeEach(async () => {
  crm = await startCrmEmulator({ userInformation: "with_email" });
  dir = makeTempDir("crm-report-");
  alice = crm.emulator.admin.addUser("Alice", { email: "alice@example.com" });
  addDeal("Acme", "negotiation", 12_000, { edited: 30, owner: alice });
  addDeal("Globex", "won", 8_000, { edited: 2, owner: alice });
  addDeal("Initech", "lost", 3_000, { edited: 3 });
  addDeal("Umbrella", "new", 2_000);
});
afterEach(async () => {
  dir.remove();
  await crm.stop();
});

const env = (extra: Record<string, string>) => ({
  ...crm.notionEnv(),
  NOTION_RATE_LIMIT_RPS: "100",
  DATA_DIR: dir.path,
  DIGEST_TZ: "UTC",
  ...extra,
});

describe("npm run report -- --once with an incoming webhook", () => {
  it("posts one text report with bars in characters, reads Deals in one query, and --out writes the chart", async () => {
    const slack = await startSlackReceiver();
    try {
      const out = join(dir.path, "chart.png");
      const result = await runTsFile("scripts/report.ts", {
        env: env({ SLACK_WEBHOOK_URL: slack.url, STAGE_PROBABILITIES: "negotiation:50,new:10" }),
        args: ["--once", "--out", out],
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`Chart written to ${out}`);
      expect(slack.received).toHaveLength(1);
      const text = slack.received[0]!.body.text;
      expect(text).toContain("*Open pipeline:* 2 deals, $14,000");
      expect(text).toContain("*Weighted forecast:* $6,200");
      expect(text).toContain("*Won in the last 7 days:* 1 · $8,000 — Globex");
      expect(text).toContain("*Lost in the last 7 days:* 1 · $3,000 — Initech");
      expect(text).toContain("*Win rate (90 days):* 50% (1 won, 1 lost)");
      expect(text).toMatch(/Acme.*negotiation, 30 days/);
      expect(text).toMatch(/negotiation +█+ \$12,000 \(1\)/);
      expect(crm.emulator.stats.count({ method: "POST", path: QUERY_PATH })).toBe(1);
      const png = PNG.sync.read(readFileSync(out));
      expect(png.width).toBeGreaterThanOrEqual(800);
    } finally {
      await slack.stop();
    }
  });

  it("stops at start with one line naming a malformed STAGE_PROBABILITIES", async () => {
    const result = await runTsFile("scripts/report.ts", {
      env: env({ STAGE_PROBABILITIES: "negotiation:160" }),
      args: ["--once"],
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("STAGE_PROBABILITIES");
    expect(result.stderr).toContain("outside 0 to 100");
  });
});

describe("the report in Slack app mode", () => {
  let slack: SlackWebApiFake;
  beforeEach(async () => {
    slack = await startSlackWebApiFake({ users: { "alice@example.com": "U0ALICE001" } });
  });
  afterEach(async () => {
    await slack.stop();
  });

  async function run(extra: Record<string, string> = {}) {
    const config = loadConfig(
      env({ SLACK_BOT_TOKEN: slack.token, SLACK_CHANNEL: "C0SALES0001", SLACK_API_URL: slack.url, ...extra }),
      { require: REPORT_REQUIRED_SETTINGS },
    );
    const log = captureLogger();
    const code = await reportCommand({ once: true, out: undefined }, config, log.logger, {
      print: () => undefined,
      signal: new AbortController().signal,
      overrides: { slackRetryBaseMs: 10 },
    });
    return { code, log };
  }

  it("uploads the chart with the message, and tells each owner their own numbers", async () => {
    const { code } = await run();
    expect(code).toBe(0);
    expect(slack.uploads).toHaveLength(1);
    const upload = slack.uploads[0]!;
    expect(upload).toMatchObject({ channel: "C0SALES0001", filename: "pipeline-report.png" });
    const words = JSON.stringify(upload.blocks);
    expect(words).toContain("Open pipeline:");
    expect(words).toContain("<@U0ALICE001>");
    const png = PNG.sync.read(upload.bytes);
    expect(png.width).toBeGreaterThanOrEqual(800);

    expect(slack.posted).toHaveLength(1);
    expect(slack.posted[0]).toMatchObject({ channel: "U0ALICE001" });
    expect(slack.posted[0]!.text).toContain("open $12,000 (1 deal), won in 7 days 1 · $8,000");
  });

  it("counts from the stored stage history and the first touches, and leaves a deleted deal out", async () => {
    const moved = addDeal("Hooli", "proposal", 5_000, { edited: 1 });
    const gone = addDeal("Pied Piper", "won", 50_000, { edited: 1 });
    const db = openStore(dir.path);
    try {
      // The server saw Hooli move into proposal 25 days ago (its later edits left the stage alone).
      recordDealSighting(db, { ...moved, last_edited_time: ago(25) }, { changedFrom: "qualified" });
      recordLeadArrival(db, { pageId: "a".repeat(32), email: "a@example.com", at: Date.now() - 3 * 3_600_000 });
      recordFirstTouch(db, { email: "a@example.com", at: Date.now() - 2 * 3_600_000, via: "slack" });
    } finally {
      db.close();
    }
    const trashed = await fetch(`${crm.emulator.url}/v1/pages/${gone.id}`, {
      method: "PATCH",
      headers: {
        authorization: `Bearer ${crm.emulator.token}`,
        "notion-version": NOTION_VERSION,
        "content-type": "application/json",
      },
      body: JSON.stringify({ in_trash: true }),
    });
    expect(trashed.status).toBe(200);

    expect((await run()).code).toBe(0);
    const words = JSON.stringify(slack.uploads[0]!.blocks);
    expect(words).toContain("Hooli");
    expect(words).toMatch(/Hooli.{0,40}proposal, 25 days/);
    expect(words).not.toContain("Pied Piper");
    expect(words).toContain("*Won in the last 7 days:* 1 · $8,000 — Globex");
    expect(words).toContain("median 1 h from arrival to first touch (1 of 1 new lead touched)");
  });
});
