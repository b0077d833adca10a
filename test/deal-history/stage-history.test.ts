import { createHmac, randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { join } from "node:path";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { STATE_FILE_NAME } from "../../src/store/open-store.js";
import { eventually, NOTION_WEBHOOK_SECRET, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { startSlackReceiver } from "../support/slack-receiver.js";

type ChangeRow = { page_id: string; from_stage: string | null; to_stage: string | null; at: string };

describe("the deal stage history, written by the webhook and the poll alike", () => {
  let h: CrmHarness;
  let slack: Awaited<ReturnType<typeof startSlackReceiver>>;
  afterEach(async () => {
    await h?.stop();
    await slack?.stop();
  });

  /** The server with the webhook on, polling every `intervalMs`, started after `before` made its deals. */
  async function start(intervalMs: number, before: () => void) {
    slack = await startSlackReceiver();
    h = await startCrmHarness({
      env: { SLACK_WEBHOOK_URL: slack.url, NOTION_WEBHOOK_SECRET, DEALS_POLL_SECONDS: "0" },
      overrides: { dealPollIntervalMs: intervalMs },
    });
    await h.restart(() => {
      before();
      h.env["DEALS_POLL_SECONDS"] = "300";
    });
  }
  const createDeal = (name: string, stage: string) =>
    h.crm.emulator.admin.insertPage(h.crm.dataSources.deals, {
      "Deal Name": { title: [{ text: { content: name } }] },
      Stage: { select: { name: stage } },
      Value: { number: 1_000 },
    }).id;
  const moveDeal = (pageId: string, stage: string) =>
    h.crm.emulator.admin.updatePage(pageId, { Stage: { select: { name: stage } } });
  function read<T>(sql: string): T[] {
    const db = new Database(join(h.dataDir, STATE_FILE_NAME), { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  }
  const changes = () => read<ChangeRow>("SELECT page_id, from_stage, to_stage, at FROM deal_stage_changes ORDER BY id");
  const polls = () => h.log.lines().filter((line) => line.msg === "deal poll done").length;
  async function morePolls(n: number) {
    const before = polls();
    await eventually(() => expect(polls()).toBeGreaterThanOrEqual(before + n));
  }
  async function deliverStageEvent(pageId: string): Promise<void> {
    const body = JSON.stringify({
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      type: "page.properties_updated",
      entity: { id: pageId, type: "page" },
      data: {
        parent: { id: h.crm.databases.deals, type: "database", data_source_id: h.crm.dataSources.deals },
        updated_properties: ["Stage"],
      },
    });
    const signature = `sha256=${createHmac("sha256", NOTION_WEBHOOK_SECRET).update(body).digest("hex")}`;
    const response = await request(h.server.url)
      .post("/notion-webhook")
      .set("Content-Type", "application/json")
      .set("X-Notion-Signature", signature)
      .send(body);
    expect(response.status).toBe(200);
  }
  const eventsSettled = () => h.log.lines().filter((line) => line.msg === "deal events settled").length;

  it("stores a move the poll saw once, dated by Notion's last_edited_time, when the webhook sees it too", async () => {
    let deal = "";
    await start(100, () => void (deal = createDeal("Acme", "qualified")));
    await morePolls(2);
    // The first poll learned the stage silently: nothing moved yet.
    expect(changes()).toEqual([]);

    const edited = moveDeal(deal, "proposal").last_edited_time;
    await eventually(() => expect(changes()).toHaveLength(1));
    await deliverStageEvent(deal);
    await eventually(() => expect(eventsSettled()).toBe(1));
    await morePolls(2);

    expect(changes()).toEqual([{ page_id: deal, from_stage: "qualified", to_stage: "proposal", at: edited }]);
    const facts = read<{ stage: string; value: number }>("SELECT stage, value FROM deal_facts");
    expect(facts).toEqual([{ stage: "proposal", value: 1_000 }]);
  });

  it("stores a move the webhook saw once, when the poll reads it later; each move of a deal is a row", async () => {
    let deal = "";
    await start(3_600_000, () => void (deal = createDeal("Acme", "negotiation")));
    await morePolls(1);
    const won = moveDeal(deal, "won").last_edited_time;
    await deliverStageEvent(deal);
    await eventually(() => expect(changes()).toHaveLength(1));

    await h.restart();
    await morePolls(1);
    expect(changes()).toEqual([{ page_id: deal, from_stage: "negotiation", to_stage: "won", at: won }]);

    // Moved back out of won: a second row, and the first one stays as it was.
    moveDeal(deal, "negotiation");
    await deliverStageEvent(deal);
    await eventually(() => expect(changes()).toHaveLength(2));
    expect(changes().map((row) => `${row.from_stage}->${row.to_stage}`)).toEqual([
      "negotiation->won",
      "won->negotiation",
    ]);
  });
});
