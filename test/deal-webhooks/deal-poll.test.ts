import { createHmac, randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { join } from "node:path";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { NOTION_MAX_ATTEMPTS } from "../../src/notion/notion-gateway.js";
import { STATE_FILE_NAME } from "../../src/store/open-store.js";
import { eventually, NOTION_WEBHOOK_SECRET, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { runTsFile } from "../support/run-node.js";
import { startSlackReceiver } from "../support/slack-receiver.js";

type Slack = Awaited<ReturnType<typeof startSlackReceiver>>;
type PollLine = { msg: string; deals: number; messages: number; queries: number };

/** Short enough to run many polls in a test; the setting itself is in seconds. */
const POLL_INTERVAL_MS = 100;
const QUERY_PATH = /^\/v1\/data_sources\/[^/]+\/query$/;

describe("polling the Deals database", () => {
  let h: CrmHarness;
  let slack: Slack;

  /**
   * Starts the server with polling off, runs `before` (deals that exist
   * before the first poll), then restarts it on the same (new) DATA_DIR with
   * polling on: its first poll happens at that start.
   */
  async function start({
    env = {},
    intervalMs = POLL_INTERVAL_MS,
    before = () => undefined,
    serverNow,
    notionNow,
  }: {
    env?: Record<string, string>;
    intervalMs?: number;
    before?: () => void;
    /** The server's clock, when a test sets it apart from Notion's. */
    serverNow?: () => number;
    /** Notion's clock (the emulator's created_time and last_edited_time). */
    notionNow?: () => number;
  } = {}) {
    slack = await startSlackReceiver();
    h = await startCrmHarness({
      env: { SLACK_WEBHOOK_URL: slack.url, NOTION_WEBHOOK_SECRET: "", DEALS_POLL_SECONDS: "0", ...env },
      overrides: { dealPollIntervalMs: intervalMs, ...(serverNow !== undefined && { dealPollNow: serverNow }) },
      ...(notionNow !== undefined && { emulator: { now: notionNow } }),
    });
    await h.restart(() => {
      before();
      h.env["DEALS_POLL_SECONDS"] = "300";
    });
  }
  afterEach(async () => {
    await h?.stop();
    await slack?.stop();
  });

  function createDeal(name: string, stage: string, value = 12_000, editedAt?: string): string {
    return h.crm.emulator.admin.insertPage(
      h.crm.dataSources.deals,
      {
        "Deal Name": { title: [{ text: { content: name } }] },
        Stage: { select: { name: stage } },
        Value: { number: value },
      },
      editedAt === undefined ? {} : { createdTime: editedAt, lastEditedTime: editedAt },
    ).id;
  }
  /** A person's edit in the Notion app: no webhook event, no request of ours. */
  const moveDeal = (pageId: string, stage: string) =>
    h.crm.emulator.admin.updatePage(pageId, { Stage: { select: { name: stage } } });

  const texts = () => slack.received.map((message) => message.body.text);
  const polls = (): PollLine[] =>
    h.log.lines().filter((line): line is PollLine & typeof line => line.msg === "deal poll done") as PollLine[];
  /** Waits until `n` more polls have finished. */
  async function morePolls(n: number): Promise<PollLine[]> {
    const before = polls().length;
    await eventually(() => expect(polls().length).toBeGreaterThanOrEqual(before + n));
    return polls().slice(before);
  }
  const queries = () => h.crm.emulator.stats.count({ method: "POST", path: QUERY_PATH });
  const pageReads = () => h.crm.emulator.stats.count({ method: "GET", path: /^\/v1\/pages\// });
  function pollState(): Record<string, unknown> {
    const db = new Database(join(h.dataDir, STATE_FILE_NAME), { readonly: true });
    try {
      return db.prepare("SELECT * FROM deal_poll").get() as Record<string, unknown>;
    } finally {
      db.close();
    }
  }

  it("learns the stages of existing deals silently on the first poll, then asks once per idle poll", async () => {
    await start({
      before() {
        createDeal("Acme", "won");
        createDeal("Globex", "lost");
        createDeal("Initech", "negotiation");
        createDeal("Umbrella", "new");
      },
    });

    const [first, ...idle] = await morePolls(4);
    expect(first).toMatchObject({ deals: 4, messages: 0, queries: 1 });
    for (const poll of idle) expect(poll).toMatchObject({ messages: 0, queries: 1 });
    expect(texts()).toEqual([]);
    expect(pageReads()).toBe(0);
    // Only the properties a deal alert reads are asked for.
    const asked = h.crm.emulator.stats.requests.find((request) => QUERY_PATH.test(request.path));
    expect(asked?.search.match(/filter_properties=/g)).toHaveLength(4);

    const jobs = await runTsFile("scripts/jobs.ts", { env: { DATA_DIR: h.dataDir } });
    expect(jobs.stdout).toMatch(/Deal poll: last poll \S+ ok \(4 deals read, 0 messages queued, 1 Notion query\)/);
  });

  it("posts one message per transition, and none for an edit that keeps the stage", async () => {
    let deal = "";
    await start({ before: () => void (deal = createDeal("Acme", "new")) });
    await morePolls(2);

    moveDeal(deal, "negotiation");
    await eventually(() => expect(texts()).toHaveLength(1));
    moveDeal(deal, "won");
    await eventually(() => expect(texts()).toHaveLength(2));
    h.crm.emulator.admin.updatePage(deal, { Value: { number: 15_000 } });
    await morePolls(3);
    moveDeal(deal, "lost");
    await eventually(() => expect(texts()).toHaveLength(3));
    await morePolls(3);

    expect(texts()).toEqual([
      expect.stringContaining("Deal in negotiation: *Acme* — $12,000 (new → negotiation)"),
      expect.stringContaining("Deal won: *Acme* — $12,000 (negotiation → won)"),
      // The Value edit in between posted nothing; the next move shows it.
      expect.stringContaining("Deal lost: *Acme* — $15,000 (won → lost)"),
    ]);
    expect(pageReads()).toBe(0);
  });

  it("takes its mark from Notion's timestamps: with the server's clock 150 s fast, a move to won is still posted", async () => {
    let deal = "";
    await start({
      serverNow: () => Date.now() + 150_000,
      before: () => void (deal = createDeal("Acme", "negotiation")),
    });
    await morePolls(2);
    // The mark is the deal's own last_edited_time (Notion's minute), not the server's clock.
    expect(pollState()["mark_ms"]).toBe(Date.parse(h.crm.emulator.admin.getPage(deal)!.last_edited_time));
    moveDeal(deal, "won");
    await eventually(() => expect(texts()).toEqual([expect.stringContaining("(negotiation → won)")]));
  });

  it("posts every move of a deal that goes back and forth within one edit minute", async () => {
    // Notion's clock stands still: every edit below has the same minute-rounded last_edited_time.
    const minute = Date.parse("2026-12-01T10:00:30.000Z");
    let deal = "";
    await start({ notionNow: () => minute, before: () => void (deal = createDeal("Acme", "new")) });
    await morePolls(1);
    for (const [stage, n] of [
      ["negotiation", 1],
      ["won", 2],
      ["negotiation", 3],
      ["won", 4],
    ] as const) {
      moveDeal(deal, stage);
      await eventually(() => expect(texts()).toHaveLength(n));
    }
    await morePolls(2);
    expect(texts()).toEqual([
      expect.stringContaining("(new → negotiation)"),
      expect.stringContaining("(negotiation → won)"),
      expect.stringContaining("(won → negotiation)"),
      expect.stringContaining("(negotiation → won)"),
    ]);
  });

  it("posts a new deal created already won as a new deal", async () => {
    await start();
    await morePolls(1);
    createDeal("Hooli", "won");
    await eventually(() => expect(texts()).toEqual([expect.stringContaining("(new deal → won)")]));
  });

  it("posts an edit made while the server was stopped once it is back", async () => {
    let deal = "";
    await start({ before: () => void (deal = createDeal("Acme", "negotiation")) });
    await morePolls(2);
    expect(texts()).toEqual([]);

    await h.restart(() => void moveDeal(deal, "won"));

    await eventually(() => expect(texts()).toEqual([expect.stringContaining("(negotiation → won)")]));
    const [afterRestart] = await morePolls(1);
    expect(afterRestart?.messages).toBe(0);
    expect(texts()).toHaveLength(1);
  });

  describe("with the webhook on as well", () => {
    const sign = (body: string) => `sha256=${createHmac("sha256", NOTION_WEBHOOK_SECRET).update(body).digest("hex")}`;
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
      const response = await request(h.server.url)
        .post("/notion-webhook")
        .set("Content-Type", "application/json")
        .set("X-Notion-Signature", sign(body))
        .send(body);
      expect(response.status).toBe(200);
    }
    const eventsSettled = () => h.log.lines().filter((line) => line.msg === "deal events settled");

    it("posts a move the poll saw first once, when the webhook's event comes later", async () => {
      let deal = "";
      await start({ env: { NOTION_WEBHOOK_SECRET }, before: () => void (deal = createDeal("Acme", "negotiation")) });
      await morePolls(2);
      moveDeal(deal, "won");
      await eventually(() => expect(texts()).toHaveLength(1));

      await deliverStageEvent(deal);
      await eventually(() => expect(eventsSettled()).toHaveLength(1));
      expect(eventsSettled()[0]).toMatchObject({ outcome: "unchanged" });
      await morePolls(2);
      expect(texts()).toEqual([expect.stringContaining("(negotiation → won)")]);
    });

    it("posts a move the webhook saw first once, when the poll reads it later", async () => {
      // A poll only at each start: the webhook's event is settled before the next poll.
      let deal = "";
      await start({
        env: { NOTION_WEBHOOK_SECRET },
        intervalMs: 3_600_000,
        before: () => void (deal = createDeal("Acme", "negotiation")),
      });
      await morePolls(1);
      moveDeal(deal, "won");
      await deliverStageEvent(deal);
      await eventually(() => expect(texts()).toHaveLength(1));
      expect(eventsSettled()[0]).toMatchObject({ outcome: "notified" });

      await h.restart();
      const [poll] = await morePolls(1);
      expect(poll).toMatchObject({ messages: 0 });
      expect(poll?.deals).toBeGreaterThanOrEqual(1);
      expect(texts()).toEqual([expect.stringContaining("(negotiation → won)")]);
    });
  });

  it("never runs two polls at once, even when Notion answers slower than the interval", async () => {
    await start({ intervalMs: 20 });
    await morePolls(1);
    h.crm.emulator.faults.latencyMs = 150;
    const inFlight: number[] = [];
    const before = polls().length;
    while (polls().length < before + 4) {
      inFlight.push(h.crm.emulator.stats.requests.filter((r) => QUERY_PATH.test(r.path) && r.status === 0).length);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(Math.max(...inFlight)).toBe(1);
    expect(polls().every((poll) => poll.queries === 1)).toBe(true);
  });

  it("logs a poll that Notion fails, keeps serving, and posts the move at the next good poll", async () => {
    let deal = "";
    await start({ before: () => void (deal = createDeal("Acme", "negotiation")) });
    await morePolls(1);
    // Every attempt the gateway makes within one poll gets a 500.
    h.crm.emulator.faults.failNext(NOTION_MAX_ATTEMPTS, {
      method: "POST",
      path: QUERY_PATH,
      kind: "status",
      status: 500,
    });
    moveDeal(deal, "won");

    await eventually(() =>
      expect(h.log.lines()).toContainEqual(
        expect.objectContaining({ msg: "deal poll failed; it is tried again at the next poll" }),
      ),
    );
    await eventually(() => expect(texts()).toEqual([expect.stringContaining("(negotiation → won)")]));
    expect(h.crm.emulator.stats.count({ method: "POST", path: QUERY_PATH, status: 500 })).toBe(NOTION_MAX_ATTEMPTS);
    await eventually(() => expect(pollState()).toMatchObject({ last_outcome: "ok", last_error: null }));
    const health = await request(h.server.url).get("/healthz");
    expect(health.status).toBe(200);
  });

  it("pages through 250 deals edited at once with 3 queries, reading none of them one by one", async () => {
    const longAgo = "2024-01-01T00:00:00.000Z";
    let deals: string[] = [];
    await start({
      intervalMs: 300,
      before() {
        deals = Array.from({ length: 250 }, (_, i) => createDeal(`Deal ${i}`, "new", i, longAgo));
        for (let i = 0; i < 20; i++) createDeal(`Old ${i}`, "won", i, longAgo);
        // The newest edit sets the mark (Notion's time); a poll reads again what is within the overlap before it.
        createDeal("Recent", "new");
      },
    });
    const [first, idle] = await morePolls(2);
    expect(first).toMatchObject({ deals: 271, queries: 3, messages: 0 });
    // Deals last edited long before the newest edit are outside every later poll's window.
    expect(idle).toMatchObject({ deals: 1, queries: 1, messages: 0 });

    for (const deal of deals) h.crm.emulator.admin.updatePage(deal, { Value: { number: 1 } });
    moveDeal(deals[7]!, "won");
    await eventually(() => expect(polls().filter((poll) => poll.deals > 1).length).toBeGreaterThanOrEqual(2));

    expect(polls().filter((poll) => poll.deals > 1)[1]).toMatchObject({ deals: 251, queries: 3, messages: 1 });
    expect(pageReads()).toBe(0);
    await eventually(() => expect(texts()).toEqual([expect.stringContaining("*Deal 7*")]));
  });
});
