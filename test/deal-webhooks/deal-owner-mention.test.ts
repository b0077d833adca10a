import { createHmac, randomUUID } from "node:crypto";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, NOTION_WEBHOOK_SECRET, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { FAKE_SLACK_TOKEN, startSlackWebApiFake, type SlackWebApiFake } from "../support/slack-web-api.js";

const CHANNEL = "C0SALES0001";

describe("deal alerts in Slack app mode, through the server", () => {
  let h: CrmHarness | undefined;
  let slack: SlackWebApiFake | undefined;
  afterEach(async () => {
    await h?.stop();
    await slack?.stop();
  });

  async function start() {
    slack = await startSlackWebApiFake({ users: { "dana@acme.test": "U0DANA0001" } });
    h = await startCrmHarness({
      emulator: { userInformation: "with_email" },
      env: { SLACK_BOT_TOKEN: FAKE_SLACK_TOKEN, SLACK_CHANNEL: CHANNEL, SLACK_API_URL: slack.url },
    });
    return { h, slack };
  }

  function deliver(harness: CrmHarness, type: string, pageId: string) {
    const body = JSON.stringify({
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      type,
      entity: { id: pageId, type: "page" },
      data: {
        parent: { id: harness.crm.databases.deals, type: "database", data_source_id: harness.crm.dataSources.deals },
      },
    });
    const signature = `sha256=${createHmac("sha256", NOTION_WEBHOOK_SECRET).update(body).digest("hex")}`;
    return request(harness.server.url)
      .post("/notion-webhook")
      .set("Content-Type", "application/json")
      .set("X-Notion-Signature", signature)
      .send(body);
  }

  it("mentions the owner in the channel and messages them directly when a deal moves into negotiation", async () => {
    const { h, slack } = await start();
    const dana = h.crm.emulator.admin.addUser("Dana Lee", { email: "dana@acme.test" });
    const deal = h.crm.emulator.admin.insertPage(h.crm.dataSources.deals, {
      "Deal Name": { title: [{ text: { content: "Acme" } }] },
      Stage: { select: { name: "proposal" } },
      Value: { number: 12_000 },
      Owner: { people: [{ id: dana }] },
    });
    expect((await deliver(h, "page.created", deal.id)).status).toBe(200);
    await eventually(() =>
      expect(h.log.lines()).toContainEqual(expect.objectContaining({ msg: "deal events settled" })),
    );

    h.crm.emulator.admin.updatePage(deal.id, { Stage: { select: { name: "negotiation" } } });
    expect((await deliver(h, "page.properties_updated", deal.id)).status).toBe(200);
    await eventually(() => expect(slack.posted).toHaveLength(2), { timeoutMs: 8_000 });

    expect(slack.posted.map((message) => message.channel)).toEqual([CHANNEL, "U0DANA0001"]);
    expect(slack.posted[0]!.text).toContain("🤝 Deal in negotiation: *Acme* — $12,000 (proposal → negotiation)");
    expect(slack.posted[0]!.text).toContain("Owner: <@U0DANA0001>");
    expect(slack.posted[1]!.text).toContain("🤝 Your deal is in negotiation: *Acme*");
    // One lookup served both: the channel alert's mention and the direct message.
    expect(slack.callsOf("users.lookupByEmail")).toHaveLength(1);
  });

  it("sends no direct message for a move into won, only the channel alert", async () => {
    const { h, slack } = await start();
    const dana = h.crm.emulator.admin.addUser("Dana Lee", { email: "dana@acme.test" });
    const deal = h.crm.emulator.admin.insertPage(h.crm.dataSources.deals, {
      "Deal Name": { title: [{ text: { content: "Acme" } }] },
      Stage: { select: { name: "won" } },
      Owner: { people: [{ id: dana }] },
    });
    await deliver(h, "page.created", deal.id);
    await eventually(() => expect(slack.posted).toHaveLength(1), { timeoutMs: 8_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slack.posted.map((message) => message.channel)).toEqual([CHANNEL]);
    expect(slack.posted[0]!.text).toContain("Owner: <@U0DANA0001>");
  });
});
