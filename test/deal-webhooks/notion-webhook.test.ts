import type { CrmServerOverrides } from "../../src/server/start-crm-server.js";
import type { NotionEmulatorOptions } from "@notion-crm/notion-emulator";
import { createHmac, randomUUID } from "node:crypto";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, NOTION_WEBHOOK_SECRET, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { startSlackReceiver } from "../support/slack-receiver.js";

type Slack = Awaited<ReturnType<typeof startSlackReceiver>>;

const sign = (body: string, secret = NOTION_WEBHOOK_SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

describe("POST /notion-webhook", () => {
  let h: CrmHarness;
  let slack: Slack;

  async function start(
    env: Record<string, string> = {},
    emulator: NotionEmulatorOptions = {},
    overrides: CrmServerOverrides = {},
  ) {
    slack = await startSlackReceiver();
    h = await startCrmHarness({ env: { SLACK_WEBHOOK_URL: slack.url, ...env }, emulator, overrides });
  }
  afterEach(async () => {
    await h?.stop();
    await slack?.stop();
  });

  async function dataSourceProperty(name: string): Promise<{ id: string }> {
    const response = await fetch(`${h.crm.emulator.url}/v1/data_sources/${h.crm.dataSources.deals}`, {
      headers: { authorization: `Bearer ${h.crm.emulator.token}`, "notion-version": "2025-09-03" },
    });
    const body = (await response.json()) as { properties: Record<string, { id: string }> };
    return body.properties[name]!;
  }

  function createDeal(name: string, stage: string, value = 12_000): string {
    return h.crm.emulator.admin.insertPage(h.crm.dataSources.deals, {
      "Deal Name": { title: [{ text: { content: name } }] },
      Stage: { select: { name: stage } },
      Value: { number: value },
    }).id;
  }

  /** Moves a deal in Notion, as a person would (without telling us: that is the event's job). */
  async function editDeal(pageId: string, properties: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${h.crm.emulator.url}/v1/pages/${pageId}`, {
      method: "PATCH",
      headers: {
        authorization: `Bearer ${h.crm.emulator.token}`,
        "notion-version": "2025-09-03",
        "content-type": "application/json",
      },
      body: JSON.stringify({ properties }),
    });
    expect(response.status).toBe(200);
  }

  function event(
    type: string,
    pageId: string,
    options: { id?: string; updated?: string[]; parent?: "deals" | "contacts" } = {},
  ) {
    const parent = options.parent ?? "deals";
    return {
      id: options.id ?? randomUUID(),
      timestamp: new Date().toISOString(),
      workspace_id: randomUUID(),
      workspace_name: "Acme",
      subscription_id: randomUUID(),
      integration_id: randomUUID(),
      authors: [{ id: randomUUID(), type: "person" }],
      attempt_number: 1,
      api_version: "2025-09-03",
      type,
      entity: { id: pageId, type: "page" },
      data: {
        parent: { id: h.crm.databases[parent], type: "database", data_source_id: h.crm.dataSources[parent] },
        ...(options.updated !== undefined && { updated_properties: options.updated }),
      },
    };
  }

  function deliver(body: object | string, headers: Record<string, string | undefined> = {}) {
    const raw = typeof body === "string" ? body : JSON.stringify(body);
    const signature = "x-notion-signature" in headers ? headers["x-notion-signature"] : sign(raw);
    const req = request(h.server.url).post("/notion-webhook").set("Content-Type", "application/json");
    if (signature !== undefined) req.set("X-Notion-Signature", signature);
    return req.send(raw);
  }

  const texts = () => slack.received.map((message) => message.body.text);
  const pageReads = (pageId: string) =>
    h.crm.emulator.stats.count({ method: "GET", path: new RegExp(`^/v1/pages/${pageId}$`) });
  const quiet = (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms));

  describe("the verification handshake", () => {
    it("is answered 200 and the token is logged with what to do next", async () => {
      await start({ NOTION_WEBHOOK_SECRET: "" });
      const response = await deliver(
        { verification_token: "secret_abc123handshake" },
        { "x-notion-signature": undefined },
      );
      expect(response.status).toBe(200);
      const line = h.log.lines().find((entry) => entry.msg.includes("verification token received"));
      expect(line?.msg).toContain("secret_abc123handshake");
      expect(line?.msg).toContain("NOTION_WEBHOOK_SECRET");
    });

    it("refuses an unsigned body over a few KB with 413, and no log line grows with what a stranger sent", async () => {
      await start({ NOTION_WEBHOOK_SECRET: "" });
      const huge = "secret_" + "a".repeat(900 * 1024);
      const response = await deliver({ verification_token: huge }, { "x-notion-signature": undefined });
      expect(response.status).toBe(413);
      expect(h.log.raw.filter((line) => line.includes("aaaaaaaaaaaaaaaa"))).toEqual([]);
      expect(Math.max(...h.log.raw.map((line) => line.length))).toBeLessThan(2_048);
    });

    it("refuses a handshake whose token is not token-shaped, without logging it", async () => {
      await start({ NOTION_WEBHOOK_SECRET: "" });
      const response = await deliver(
        { verification_token: "secret_abc\nNotion webhook verification token received: planted" },
        { "x-notion-signature": undefined },
      );
      expect(response.status).toBe(400);
      expect(h.log.raw.filter((line) => line.includes("planted"))).toEqual([]);
    });

    it("refuses events until NOTION_WEBHOOK_SECRET is set, saying why in the log", async () => {
      await start({ NOTION_WEBHOOK_SECRET: "" });
      const response = await deliver(event("page.created", randomUUID()));
      expect(response.status).toBe(401);
      expect(h.log.lines()).toContainEqual(
        expect.objectContaining({ msg: expect.stringContaining("NOTION_WEBHOOK_SECRET is not set") }),
      );
    });
  });

  describe("signatures", () => {
    it.each([
      ["a missing signature", { "x-notion-signature": undefined }],
      ["a signature made with another secret", { "x-notion-signature": sign("{}", "secret_other") }],
      ["a bare hex digest without sha256=", { "x-notion-signature": sign("x").slice(7) }],
    ])("refuse %s with 401 and store nothing", async (_case, headers) => {
      await start();
      const dealId = createDeal("Acme", "new");
      await editDeal(dealId, { Stage: { select: { name: "won" } } });
      const response = await deliver(event("page.properties_updated", dealId), headers);
      expect(response.status).toBe(401);
      await quiet();
      expect(pageReads(dealId)).toBe(0);
      expect(texts()).toEqual([]);
    });

    it("refuses a signed event whose entity.id is not a Notion id with 400, and never reads Notion for it", async () => {
      await start();
      const before = h.crm.emulator.stats.requests.length;
      const body = event("page.created", "x?filter_properties=title");
      const response = await deliver(body);
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([{ field: "entity.id", message: "must be a Notion id (a UUID)" }]);
      await quiet();
      expect(h.crm.emulator.stats.requests.slice(before).map((entry) => entry.path)).toEqual([]);
    });

    it("refuses a tampered body", async () => {
      await start();
      const body = JSON.stringify(event("page.created", randomUUID()));
      const response = await deliver(body.replace("page.created", "page.deleted"), {
        "x-notion-signature": sign(body),
      });
      expect(response.status).toBe(401);
    });
  });

  it("posts one message per transition into negotiation, won and lost, each in its own words", async () => {
    await start();
    const owner = h.crm.emulator.admin.addUser("Dana Owner");
    const dealId = createDeal("Acme", "new");
    await editDeal(dealId, { Owner: { people: [{ id: owner }] } });
    const stage = await dataSourceProperty("Stage");

    expect((await deliver(event("page.created", dealId))).status).toBe(200);
    await quiet();
    expect(texts()).toEqual([]);

    for (const [index, next] of ["negotiation", "won", "lost"].entries()) {
      await editDeal(dealId, { Stage: { select: { name: next } } });
      await deliver(event("page.properties_updated", dealId, { updated: [stage.id] }));
      // Slack sends about one message a second; each move is seen before the next.
      await eventually(() => expect(texts()).toHaveLength(index + 1), { timeoutMs: 5_000 });
    }
    expect(texts()).toEqual([
      "🤝 Deal in negotiation: *Acme* — $12,000 (new → negotiation)",
      "🎉 Deal won: *Acme* — $12,000 (negotiation → won)",
      "💔 Deal lost: *Acme* — $12,000 (won → lost)",
    ]);
    const context = JSON.stringify(slack.received[1]!.body.blocks);
    expect(context).toContain("Owner: Dana Owner");
    expect(context).toMatch(/<https?:[^|>]+\|Open in Notion>/);
  });

  it("names an owner Notion sends without a name (no Read user information) as someone, never by id", async () => {
    await start({}, { readUserInformation: false });
    const owner = h.crm.emulator.admin.addUser("Dana Owner");
    const dealId = createDeal("Acme", "negotiation");
    await editDeal(dealId, { Owner: { people: [{ id: owner }] } });
    await deliver(event("page.created", dealId));
    await eventually(() => expect(texts()).toHaveLength(1));
    const context = JSON.stringify(slack.received[0]!.body.blocks);
    expect(context).toContain("Owner: someone");
    expect(context).not.toContain(owner);
    expect(context).not.toContain(owner.replaceAll("-", ""));
  });

  it("posts nothing for an edit that leaves Stage alone", async () => {
    await start();
    const dealId = createDeal("Acme", "negotiation");
    await deliver(event("page.created", dealId));
    await eventually(() => expect(texts()).toHaveLength(1));
    await editDeal(dealId, { Value: { number: 15_000 } });
    await deliver(event("page.properties_updated", dealId, { updated: [(await dataSourceProperty("Value")).id] }));
    await quiet();
    await eventually(() =>
      expect(h.log.lines()).toContainEqual(
        expect.objectContaining({ msg: "deal events settled", outcome: "unchanged" }),
      ),
    );
    expect(texts()).toHaveLength(1);
  });

  it("processes a redelivered event id once", async () => {
    await start();
    const dealId = createDeal("Acme", "won");
    const once = event("page.created", dealId);
    const first = await deliver(once);
    const again = await deliver({ ...once, attempt_number: 2 });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual({ status: "duplicate" });
    await eventually(() => expect(texts()).toEqual(["🎉 Deal won: *Acme* — $12,000 (new deal → won)"]));
    await quiet();
    expect(texts()).toHaveLength(1);
    expect(pageReads(dealId)).toBe(1);
  });

  it("lets the stored stage decide when events arrive late and aggregated", async () => {
    await start();
    const dealId = createDeal("Acme", "proposal");
    await deliver(event("page.created", dealId));
    await eventually(() =>
      expect(h.log.lines()).toContainEqual(expect.objectContaining({ msg: "deal events settled", pageId: dealId })),
    );
    // Two quick moves; Notion sends one aggregated event, then a stale one.
    await editDeal(dealId, { Stage: { select: { name: "negotiation" } } });
    await editDeal(dealId, { Stage: { select: { name: "won" } } });
    await deliver(event("page.properties_updated", dealId, { updated: ["x"] }));
    await eventually(() => expect(texts()).toEqual(["🎉 Deal won: *Acme* — $12,000 (proposal → won)"]));
    await deliver(event("page.properties_updated", dealId, { updated: ["x"] }));
    await quiet();
    expect(texts()).toHaveLength(1);
  });

  it("reads a deal once for a flood of 50 events, and posts once", async () => {
    // The flood must arrive within one quiet period; on a busy machine 50 posts can take
    // longer than the harness's 100 ms, so this test gives it 2 s.
    await start({}, {}, { dealEventQuietMs: 2_000 });
    const dealId = createDeal("Acme", "proposal");
    await deliver(event("page.created", dealId));
    await eventually(() => expect(pageReads(dealId)).toBe(1));
    await editDeal(dealId, { Stage: { select: { name: "negotiation" } } });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => deliver(event("page.properties_updated", dealId, { updated: ["x"] }))),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    await eventually(() => expect(texts()).toHaveLength(1));
    await quiet();
    expect(pageReads(dealId)).toBe(2);
    expect(texts()).toEqual(["🤝 Deal in negotiation: *Acme* — $12,000 (proposal → negotiation)"]);
  });

  it("on a deal it has never seen, trusts the event's changed property ids to tell a Stage change", async () => {
    await start();
    const stage = await dataSourceProperty("Stage");
    const value = await dataSourceProperty("Value");
    const quietDeal = createDeal("Quietco", "won");
    const movedDeal = createDeal("Movedco", "won");
    await deliver(event("page.properties_updated", quietDeal, { updated: [value.id] }));
    await deliver(event("page.properties_updated", movedDeal, { updated: [stage.id] }));
    await eventually(() => expect(texts()).toEqual(["🎉 Deal won: *Movedco* — $12,000 (unknown → won)"]));
    await quiet();
    expect(texts()).toHaveLength(1);
  });

  it("works with Stage as a status property", async () => {
    await start();
    h.crm.emulator.admin.updateProperty(h.crm.dataSources.deals, "Stage", {
      status: { options: [{ name: "new" }, { name: "negotiation" }, { name: "won" }] },
    } as never);
    await h.restart();
    const dealId = h.crm.emulator.admin.insertPage(h.crm.dataSources.deals, {
      "Deal Name": { title: [{ text: { content: "Statusco" } }] },
      Stage: { status: { name: "new" } },
      Value: { number: 500 },
    }).id;
    await deliver(event("page.created", dealId));
    await eventually(() => expect(pageReads(dealId)).toBe(1));
    await editDeal(dealId, { Stage: { status: { name: "won" } } });
    await deliver(event("page.properties_updated", dealId, { updated: ["x"] }));
    await eventually(() => expect(texts()).toEqual(["🎉 Deal won: *Statusco* — $500 (new → won)"]));
  });

  it("escapes user text so a deal name can neither ping the channel nor forge a link", async () => {
    await start();
    const dealId = createDeal("<!channel> & <https://evil.example|your bank>", "won", 1);
    await deliver(event("page.created", dealId));
    await eventually(() => expect(texts()).toHaveLength(1));
    const raw = slack.received[0]!.raw;
    expect(raw).not.toContain("<!channel>");
    expect(raw).not.toContain("<https://evil.example");
    expect(texts()[0]).toBe(
      "🎉 Deal won: *&lt;!channel&gt; &amp; &lt;https://evil.example|your bank&gt;* — $1 (new deal → won)",
    );
  });

  describe("events deal alerts do not act on", () => {
    /**
     * A schema change as Notion delivers it, copied from the documented shape
     * of database.schema_updated and data_source.schema_updated
     * (https://developers.notion.com/reference/webhooks-events-delivery and the
     * "Data source schema updated" event reference): `updated_properties` are
     * objects `{id, name, action}`, not the id strings of page events.
     */
    const schemaUpdated = (type: "database.schema_updated" | "data_source.schema_updated") => ({
      id: randomUUID(),
      timestamp: "2026-12-05T23:55:34.285Z",
      workspace_id: "13950b26-c203-4f3b-b97d-93ec06319565",
      workspace_name: "Quantify Labs",
      subscription_id: "29d75c0d-5546-4414-8459-7b7a92f1fc4b",
      integration_id: "0ef2e755-4912-8096-91c1-00376a88a5ca",
      type,
      authors: [{ id: "c7c11cca-1d73-471d-9b6e-bdef51470190", type: "person" }],
      accessible_by: [{ id: "556a1abf-4f08-40c6-878a-75890d2a88ba", type: "bot" }],
      attempt_number: 1,
      api_version: "2025-09-03",
      entity: {
        id: type === "database.schema_updated" ? h.crm.databases.deals : h.crm.dataSources.deals,
        type: type === "database.schema_updated" ? "database" : "data_source",
      },
      data: {
        parent: { id: h.crm.databases.deals, type: "database" },
        updated_properties: [
          { id: "fy:{", name: "Product ID", action: "created" },
          { id: "%5Bn%7D%3E", name: "Stage", action: "updated" },
        ],
      },
    });

    it.each(["database.schema_updated", "data_source.schema_updated"] as const)(
      "%s (updated_properties as objects) is answered 200 and ignored",
      async (type) => {
        await start();
        const response = await deliver(schemaUpdated(type));
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ status: "ignored" });
        expect(h.log.lines()).toContainEqual(
          expect.objectContaining({ msg: "Notion webhook event ignored: not a type deal alerts act on", type }),
        );
      },
    );

    it("a verified event of a type Notion may add later is answered 200; unsigned, it is still 401", async () => {
      await start();
      const comment = {
        id: randomUUID(),
        timestamp: new Date().toISOString(),
        type: "comment.created",
        entity: { id: randomUUID(), type: "comment" },
        data: { page_id: randomUUID(), parent: { id: randomUUID(), type: "page" } },
      };
      expect((await deliver(comment)).status).toBe(200);
      expect(
        (await deliver({ ...comment, type: "something.new", entity: { id: "not-an-id", type: "x" } })).status,
      ).toBe(200);
      expect((await deliver(comment, { "x-notion-signature": undefined })).status).toBe(401);
    });

    it("a page event's updated_properties may also come as objects: the ids are used", async () => {
      await start();
      const dealId = createDeal("Acme", "negotiation");
      const stage = await dataSourceProperty("Stage");
      const body = event("page.properties_updated", dealId);
      const withObjects = {
        ...body,
        data: { ...body.data, updated_properties: [{ id: stage.id, name: "Stage", action: "updated" }] },
      };
      expect((await deliver(withObjects)).status).toBe(200);
      await eventually(() => expect(texts()).toEqual([expect.stringContaining("Acme")]));
    });
  });

  it("ignores events for pages of other databases without reading them", async () => {
    await start();
    const contact = h.crm.emulator.admin.insertPage(h.crm.dataSources.contacts, {
      Name: { title: [{ text: { content: "Ann" } }] },
    });
    await deliver(event("page.properties_updated", contact.id, { parent: "contacts" }));
    await eventually(() =>
      expect(h.log.lines()).toContainEqual(expect.objectContaining({ msg: "deal events settled", outcome: "ignored" })),
    );
    expect(pageReads(contact.id)).toBe(0);
  });

  it("delivers once when Slack answers 429 first", async () => {
    await start();
    slack.replyNext({ status: 429, body: "rate_limited", headers: { "retry-after": "1" } });
    const dealId = createDeal("Acme", "lost");
    await deliver(event("page.created", dealId));
    await eventually(() => expect(texts()).toHaveLength(1), { timeoutMs: 6_000 });
    await quiet();
    expect(slack.attempts()).toBe(2);
    expect(texts()).toHaveLength(1);
  });
});
