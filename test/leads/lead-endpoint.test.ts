import type { PageObjectResponse } from "@notionhq/client";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, FORM_SECRET, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { formSignatureHex, standardWebhookSignature } from "../support/sign.js";

// Independent readers of Notion's page shape.
const prop = (page: PageObjectResponse, name: string) =>
  page.properties[name] as Record<string, unknown> & { type: string };
const text = (page: PageObjectResponse, name: string) =>
  ((prop(page, name)[prop(page, name).type] as Array<{ plain_text: string }>) ?? [])
    .map((item) => item.plain_text)
    .join("");
const select = (page: PageObjectResponse, name: string) =>
  (prop(page, name)[prop(page, name).type] as { name: string } | null)?.name;
const dateOf = (page: PageObjectResponse, name: string) => (prop(page, name).date as { start: string } | null)?.start;
const emailOf = (page: PageObjectResponse) => prop(page, "Email").email as string | null;

describe("POST /lead", () => {
  let h: CrmHarness;
  afterEach(async () => {
    await h?.stop();
  });

  describe("a new contact", () => {
    it("is created with the contract's fields and answered 200 with its page id", async () => {
      h = await startCrmHarness();
      const before = Date.now();
      const response = await h.postLead({
        email: " Ann@Example.com ",
        name: "Ann Lee",
        company: "Acme",
        message: "Call me",
        utm_source: "newsletter",
      });
      expect(response.status).toBe(200);
      const [page] = h.contacts();
      expect(response.body).toEqual({ status: "created", id: page!.id });
      expect(emailOf(page!)).toBe("ann@example.com");
      expect(text(page!, "Name")).toBe("Ann Lee");
      expect(text(page!, "Company")).toBe("Acme");
      expect(select(page!, "Status")).toBe("new lead");
      expect(select(page!, "Source")).toBe("newsletter");
      expect(text(page!, "Notes")).toBe("Call me");
      // Written to the minute, the precision Notion keeps.
      const contacted = Date.parse(dateOf(page!, "Last Contacted")!);
      expect(contacted % 60_000).toBe(0);
      expect(contacted).toBeGreaterThanOrEqual(Math.floor(before / 60_000) * 60_000);
    });

    it("takes the email as name and `website` as source when the lead has neither", async () => {
      h = await startCrmHarness();
      await h.postLead({ email: "bob@example.com" });
      const [page] = h.contacts();
      expect(text(page!, "Name")).toBe("bob@example.com");
      expect(select(page!, "Source")).toBe("website");
    });

    it("writes one Activities row related to the contact, with the message", async () => {
      h = await startCrmHarness();
      await h.postLead({ email: "ann@example.com", message: "First" });
      const [contact] = h.contacts();
      const [activity] = h.activities();
      expect(select(activity!, "Type")).toBe("Form submission");
      expect(text(activity!, "Notes")).toBe("First");
      expect(prop(activity!, "Contact").relation).toEqual([{ id: contact!.id }]);
      expect(dateOf(activity!, "Date")).toBeDefined();
    });

    it("keeps a 5,000-character message whole, split into 2,000-character pieces", async () => {
      h = await startCrmHarness();
      const message = `${"a".repeat(2_000)}${"b".repeat(2_000)}${"c".repeat(1_000)}`;
      expect((await h.postLead({ email: "long@example.com", message })).status).toBe(200);
      const [page] = h.contacts();
      expect(text(page!, "Notes")).toBe(message);
      expect((prop(page!, "Notes").rich_text as unknown[]).length).toBe(3);
    });
  });

  describe("an existing contact", () => {
    it("gets Last Contacted now and its empty fields filled; nothing filled is overwritten, Status is kept", async () => {
      h = await startCrmHarness();
      const first = await h.postLead({ email: "ann@example.com", name: "Ann", message: "first" });
      const pageId = first.body.id as string;
      // A person moves the contact on in Notion.
      const moved = await fetch(`${h.crm.emulator.url}/v1/pages/${pageId}`, {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${h.crm.emulator.token}`,
          "notion-version": "2025-09-03",
          "content-type": "application/json",
        },
        body: JSON.stringify({
          properties: {
            Status: { select: { name: "qualified" } },
            "Last Contacted": { date: { start: "2020-01-01" } },
          },
        }),
      });
      expect(moved.status).toBe(200);

      const second = await h.postLead({
        email: "ANN@example.com",
        name: "Someone Else",
        company: "Acme",
        message: "second",
      });
      expect(second.status).toBe(200);
      expect(second.body).toEqual({ status: "updated", id: pageId });
      const pages = h.contacts();
      expect(pages).toHaveLength(1);
      expect(text(pages[0]!, "Name")).toBe("Ann");
      expect(text(pages[0]!, "Notes")).toBe("first");
      expect(text(pages[0]!, "Company")).toBe("Acme");
      expect(select(pages[0]!, "Status")).toBe("qualified");
      expect(Date.parse(dateOf(pages[0]!, "Last Contacted")!)).toBeGreaterThan(Date.parse("2025-01-01"));
      expect(
        h
          .activities()
          .map((activity) => text(activity, "Notes"))
          .sort(),
      ).toEqual(["first", "second"]);
    });

    it("is found in Notion when this server has never seen it, and not duplicated", async () => {
      h = await startCrmHarness();
      const existing = h.crm.emulator.admin.insertPage(h.crm.dataSources.contacts, {
        Name: { title: [{ text: { content: "Carol" } }] },
        Email: { email: "carol@example.com" },
        Status: { select: { name: "customer" } },
      });
      const response = await h.postLead({ email: "Carol@Example.com", company: "Initech" });
      expect(response.body).toEqual({ status: "updated", id: existing.id });
      expect(h.contacts()).toHaveLength(1);
      expect(select(h.contacts()[0]!, "Status")).toBe("customer");
      expect(text(h.contacts()[0]!, "Company")).toBe("Initech");
    });

    it("found in Notion, keeps every field it already has: the lookup reads the properties it names", async () => {
      h = await startCrmHarness();
      h.crm.emulator.admin.insertPage(h.crm.dataSources.contacts, {
        Name: { title: [{ text: { content: "Dora" } }] },
        Email: { email: "dora@example.com" },
        Company: { rich_text: [{ text: { content: "Globex" } }] },
        Notes: { rich_text: [{ text: { content: "Met at the fair" } }] },
        Source: { select: { name: "referral" } },
        Status: { select: { name: "customer" } },
      });
      const response = await h.postLead({
        email: "dora@example.com",
        company: "Initech",
        message: "Call me",
        utm_source: "ads",
      });
      expect(response.body).toMatchObject({ status: "updated" });
      const [dora] = h.contacts();
      expect([text(dora!, "Company"), text(dora!, "Notes"), select(dora!, "Source")]).toEqual([
        "Globex",
        "Met at the fair",
        "referral",
      ]);
    });

    it("costs one Notion call for a repeat lead that brings nothing new (plus its activity row)", async () => {
      h = await startCrmHarness({ env: { NOTION_ACTIVITIES_DB_ID: "" } });
      await h.postLead({ email: "ann@example.com", name: "Ann" });
      h.crm.emulator.stats.reset();
      // Other bytes (the same body again within 10 minutes is a sender's retry, not a repeat lead).
      expect((await h.postLead('{"name":"Ann","email":"ann@example.com"}')).status).toBe(200);
      expect(h.crm.emulator.stats.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/, ":id")}`)).toEqual(
        ["PATCH /v1/pages/:id"],
      );
    });

    it("is created again when its page was deleted in Notion", async () => {
      h = await startCrmHarness();
      const first = await h.postLead({ email: "ann@example.com" });
      await fetch(`${h.crm.emulator.url}/v1/pages/${first.body.id as string}`, {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${h.crm.emulator.token}`,
          "notion-version": "2025-09-03",
          "content-type": "application/json",
        },
        body: JSON.stringify({ in_trash: true }),
      });
      const second = await h.postLead('{ "email": "ann@example.com" }');
      expect(second.body.status).toBe("created");
      expect(second.body.id).not.toBe(first.body.id);
      expect(h.contacts()).toHaveLength(1);
    });
  });

  it("gives 25 concurrent submissions of one email exactly one contact and 25 activity rows", async () => {
    h = await startCrmHarness();
    const responses = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        h.postLead({ email: i % 2 ? "dup@example.com" : "DUP@example.com ", message: `message ${i}` }),
      ),
    );
    expect(responses.map((r) => r.status).every((status) => status === 200 || status === 202)).toBe(true);
    await eventually(() => expect(h.activities()).toHaveLength(25));
    expect(h.contacts()).toHaveLength(1);
    expect(responses.filter((r) => r.body.status === "created")).toHaveLength(1);
  });

  describe("refusals change nothing", () => {
    const expectNothingWritten = (harness: CrmHarness) => {
      expect(harness.contacts()).toHaveLength(0);
      expect(harness.crm.emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/ })).toBe(0);
    };

    it("401 without a signature", async () => {
      h = await startCrmHarness();
      const response = await request(h.server.url)
        .post("/lead")
        .set("Content-Type", "application/json")
        .send('{"email":"a@b.co"}');
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: "invalid signature" });
      expectNothingWritten(h);
      expect(h.log.lines()).toContainEqual(
        expect.objectContaining({ msg: "lead refused: bad signature", reason: "no signature header" }),
      );
    });

    it("401 with a signature made with the wrong secret, and the secret never reaches the log", async () => {
      h = await startCrmHarness();
      const body = '{"email":"a@b.co"}';
      const response = await h.postLead(body, { "X-Form-Signature": formSignatureHex(body, "wrong-secret") });
      expect(response.status).toBe(401);
      expectNothingWritten(h);
      expect(h.log.raw.join("\n")).not.toContain(FORM_SECRET);
    });

    it("401 for a tampered body", async () => {
      h = await startCrmHarness();
      const response = await request(h.server.url)
        .post("/lead")
        .set("Content-Type", "application/json")
        .set("X-Form-Signature", formSignatureHex('{"email":"a@b.co"}', FORM_SECRET))
        .send('{"email":"eve@b.co"}');
      expect(response.status).toBe(401);
      expectNothingWritten(h);
    });

    it("413 for a 100 KiB body", async () => {
      h = await startCrmHarness();
      const response = await h.postLead({ email: "a@b.co", message: "x".repeat(100 * 1024) });
      expect(response.status).toBe(413);
      expectNothingWritten(h);
    });

    it("415 for a body that is not JSON", async () => {
      h = await startCrmHarness();
      const body = "email=a@b.co";
      const response = await request(h.server.url)
        .post("/lead")
        .set("Content-Type", "application/x-www-form-urlencoded")
        .set("X-Form-Signature", formSignatureHex(body, FORM_SECRET))
        .send(body);
      expect(response.status).toBe(415);
      expectNothingWritten(h);
    });

    it.each([
      ["invalid JSON", '{"email":', "body"],
      ["a missing email", { name: "Ann" }, "email"],
      ["a malformed email", { email: "not-an-email" }, "email"],
    ])("400 naming the field for %s", async (_case, body, field) => {
      h = await startCrmHarness();
      const response = await h.postLead(body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        error: expect.any(String),
        details: expect.arrayContaining([expect.objectContaining({ field })]),
      });
      expectNothingWritten(h);
    });
  });

  it("accepts a __proto__ body as plain data", async () => {
    h = await startCrmHarness();
    const response = await h.postLead('{"email":"proto@example.com","__proto__":{"name":"Polluted"},"name":"Pat"}');
    expect(response.status).toBe(200);
    expect(text(h.contacts()[0]!, "Name")).toBe("Pat");
  });

  describe("Standard Webhooks deliveries", () => {
    const deliver = (harness: CrmHarness, id: string, body: string, timestamp = Math.floor(Date.now() / 1000)) =>
      request(harness.server.url)
        .post("/lead")
        .set("Content-Type", "application/json")
        .set("webhook-id", id)
        .set("webhook-timestamp", String(timestamp))
        .set("webhook-signature", standardWebhookSignature(id, timestamp, body, FORM_SECRET))
        .send(body);

    it("answers a redelivered webhook-id like the first and writes it once", async () => {
      h = await startCrmHarness();
      const body = '{"email":"sw@example.com","message":"once"}';
      const first = await deliver(h, "msg_1", body);
      const again = await deliver(h, "msg_1", body);
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(h.contacts()).toHaveLength(1);
      expect(h.activities()).toHaveLength(1);
    });

    it("goes by webhook-id, not by body: two ids with the same body are two submissions", async () => {
      h = await startCrmHarness();
      const body = '{"email":"twice@example.com","message":"same words"}';
      await deliver(h, "msg_a", body);
      await deliver(h, "msg_b", body);
      expect(h.activities()).toHaveLength(2);
    });

    it("refuses a delivery whose timestamp is more than 5 minutes old", async () => {
      h = await startCrmHarness();
      const response = await deliver(h, "msg_2", '{"email":"sw@example.com"}', Math.floor(Date.now() / 1000) - 301);
      expect(response.status).toBe(401);
      expect(h.contacts()).toHaveLength(0);
    });
  });

  it("answers 202 queued during a Notion outage and writes every lead once Notion is back", async () => {
    h = await startCrmHarness({ overrides: { leadResponseWaitMs: 500 } });
    h.crm.emulator.faults.unavailableFor(2_500, 503);
    const responses = await Promise.all(["a", "b", "c"].map((name) => h.postLead({ email: `${name}@example.com` })));
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202]);
    for (const response of responses) expect(response.body).toEqual({ status: "queued", id: expect.any(String) });
    await eventually(
      () => expect(h.contacts().map(emailOf).sort()).toEqual(["a@example.com", "b@example.com", "c@example.com"]),
      { timeoutMs: 15_000 },
    );
    await eventually(() => expect(h.activities()).toHaveLength(3));
    // Failed attempts were recorded and rescheduled, not crashed on.
    expect(h.log.lines().filter((line) => line.msg.includes("unexpectedly"))).toEqual([]);
    expect(h.log.lines()).toContainEqual(
      expect.objectContaining({ msg: "lead not saved yet; will retry", attempts: 1 }),
    );
  });

  it("resumes the queue after a restart", async () => {
    h = await startCrmHarness({ overrides: { leadResponseWaitMs: 200 } });
    h.crm.emulator.faults.unavailableFor(60_000, 503);
    expect((await h.postLead({ email: "later@example.com" })).status).toBe(202);
    await h.restart();
    h.crm.emulator.faults.reset();
    await eventually(() => expect(h.contacts().map(emailOf)).toEqual(["later@example.com"]), { timeoutMs: 15_000 });
  });

  it("keeps a lead Notion refuses as dead, logs it loudly, and does not retry it", async () => {
    h = await startCrmHarness();
    // The schema changes under the running server: Company becomes a number.
    h.crm.emulator.admin.updateProperty(h.crm.dataSources.contacts, "Company", { number: {} });
    const response = await h.postLead({ email: "dead@example.com", company: "Acme" });
    expect(response.status).toBe(202);
    expect(h.contacts()).toHaveLength(0);
    expect(h.log.lines()).toContainEqual(
      expect.objectContaining({ level: 50, msg: expect.stringContaining("LEAD DEAD-LETTERED") }),
    );
    const posts = h.crm.emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/ });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(h.crm.emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/ })).toBe(posts);
  });

  describe("a sender's retry with plain X-Form-Signature", () => {
    it("is the same submission: the same signed body within 10 minutes writes one Activities row", async () => {
      h = await startCrmHarness();
      const body = JSON.stringify({ email: "retry@example.com", name: "Rita", message: "Call me" });
      const first = await h.postLead(body);
      const again = await h.postLead(body);
      const third = await h.postLead(body);
      expect(first.status).toBe(200);
      expect([again.body, third.body]).toEqual([first.body, first.body]);
      expect(h.contacts()).toHaveLength(1);
      expect(h.activities()).toHaveLength(1);
    });

    it("is told apart from another body of the same email", async () => {
      h = await startCrmHarness();
      await h.postLead({ email: "two@example.com", message: "first" });
      await h.postLead({ email: "two@example.com", message: "second" });
      expect(h.activities()).toHaveLength(2);
    });
  });
});
