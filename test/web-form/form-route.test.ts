import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { textOf } from "../support/notion-page.js";
import { activitiesFor, contactsFor, queueRows } from "../form-services/form-service-kit.js";
import { browserPost, FORM_ENV, OTHER_SITE, scriptPost, SITE } from "./form-kit.js";

describe("POST /form", () => {
  let h: CrmHarness;
  afterEach(async () => {
    await h?.stop();
  });

  it("is absent (404, preflight too) while FORM_ALLOWED_ORIGINS is unset", async () => {
    h = await startCrmHarness();
    expect((await browserPost(h, { email: "ann@example.com" })).status).toBe(404);
    const preflight = await request(h.server.url)
      .options("/form")
      .set("Origin", SITE)
      .set("Access-Control-Request-Method", "POST");
    expect(preflight.status).toBe(404);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    expect(queueRows(h)).toEqual([]);
  });

  it("a browser form post gets the built-in thank-you page at once, and the contact reaches Notion with UTF-8 kept", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const response = await browserPost(
      h,
      { email: "Zoe@Example.com ", name: "Zoë Ångström", company: "Çafé Ürün", message: "Grüße 👋" },
      { Referer: `${SITE}/contact/` },
    );
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/html; charset=utf-8/);
    expect(response.text).toContain("Thank you");
    expect(response.text).toContain(`href="${SITE}/contact/"`);
    await eventually(() => expect(contactsFor(h, "zoe@example.com")).toHaveLength(1));
    const [contact] = contactsFor(h, "zoe@example.com");
    expect(textOf(contact!, "Name")).toBe("Zoë Ångström");
    expect(textOf(contact!, "Company")).toBe("Çafé Ürün");
    expect(textOf(contact!, "Notes")).toBe("Grüße 👋");
    await eventually(() => expect(activitiesFor(h, contact!.id)).toHaveLength(1));
    const notes = textOf(activitiesFor(h, contact!.id)[0]!, "Notes");
    expect(notes).toContain("Grüße 👋");
    expect(notes).toContain(`Form: website form on ${SITE}`);
    expect(notes).toContain(`Page: ${SITE}/contact/`);
  });

  it("answers before Notion is written: the lead is only queued when the page arrives", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    h.crm.emulator.faults.unavailableFor(60_000);
    const response = await browserPost(h, { email: "slow@example.com" });
    expect(response.status).toBe(200);
    expect(queueRows(h)).toEqual([expect.objectContaining({ email: "slow@example.com", state: "queued" })]);
  });

  it("303 to FORM_REDIRECT_URL when it is set", async () => {
    h = await startCrmHarness({ env: { ...FORM_ENV, FORM_REDIRECT_URL: `${SITE}/thanks/` } });
    const response = await browserPost(h, { email: "bob@example.com" });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`${SITE}/thanks/`);
    await eventually(() => expect(contactsFor(h, "bob@example.com")).toHaveLength(1));
  });

  it("a script gets 202 queued JSON with CORS for its allowed origin, by JSON body or by Accept", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const json = await scriptPost(h, { email: "js@example.com", name: "Zoë Ångström" });
    expect(json.status).toBe(202);
    expect(json.body).toEqual({ status: "queued", id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(json.headers["access-control-allow-origin"]).toBe(SITE);
    expect(json.headers.vary).toMatch(/\bOrigin\b/);

    const accepted = await browserPost(
      h,
      { email: "accept@example.com" },
      { Accept: "application/json", Origin: OTHER_SITE },
    );
    expect(accepted.status).toBe(202);
    expect(accepted.body.status).toBe("queued");
    expect(accepted.headers["access-control-allow-origin"]).toBe(OTHER_SITE);
    await eventually(() => expect(contactsFor(h, "js@example.com")).toHaveLength(1));
    expect(textOf(contactsFor(h, "js@example.com")[0]!, "Name")).toBe("Zoë Ångström");
  });

  it("multipart text fields are read as UTF-8; an empty file input is no file", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const response = await request(h.server.url)
      .post("/form")
      .set("Origin", SITE)
      .field("email", "multi@example.com")
      .field("name", "Zoë Ångström")
      .attach("attachment", Buffer.alloc(0), { filename: "", contentType: "application/octet-stream" });
    expect(response.status).toBe(200);
    await eventually(() => expect(contactsFor(h, "multi@example.com")).toHaveLength(1));
    expect(textOf(contactsFor(h, "multi@example.com")[0]!, "Name")).toBe("Zoë Ångström");
  });

  it("415 for a multipart body with a file, in a page for a person and JSON for a script; nothing stored", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const page = await request(h.server.url)
      .post("/form")
      .set("Origin", SITE)
      .field("email", "file@example.com")
      .attach("cv", Buffer.from("%PDF-1.4 not really"), "cv.pdf");
    expect(page.status).toBe(415);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.text).toContain("Files cannot be sent");
    const script = await request(h.server.url)
      .post("/form")
      .set("Origin", SITE)
      .set("Accept", "application/json")
      .field("email", "file@example.com")
      .attach("cv", Buffer.from("hello"), "cv.txt");
    expect(script.status).toBe(415);
    expect(script.body).toEqual({
      error: "files are not accepted",
      details: [{ field: "cv", message: expect.any(String) }],
    });
    expect(queueRows(h)).toEqual([]);
  });

  it("415 for a body that is neither form data nor JSON", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const response = await request(h.server.url)
      .post("/form")
      .set("Origin", SITE)
      .set("Content-Type", "text/plain")
      .send("email=plain@example.com");
    expect(response.status).toBe(415);
    expect(queueRows(h)).toEqual([]);
  });

  it("403 and nothing written for a foreign origin, with no CORS header for it", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const page = await browserPost(h, { email: "evil@example.com" }, { Origin: "https://evil.example" });
    expect(page.status).toBe(403);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.text).toContain("https://evil.example");
    expect(page.headers["access-control-allow-origin"]).toBeUndefined();
    const script = await scriptPost(h, { email: "evil@example.com" }, { Origin: "https://evil.example" });
    expect(script.status).toBe(403);
    expect(script.body).toEqual({ error: "origin not allowed" });
    expect(script.headers["access-control-allow-origin"]).toBeUndefined();
    // Scheme and port count: the same host on http or another port is another origin.
    expect((await browserPost(h, { email: "evil@example.com" }, { Origin: "http://shop.example.com" })).status).toBe(
      403,
    );
    expect((await browserPost(h, { email: "evil@example.com" }, { Origin: `${SITE}:8443` })).status).toBe(403);
    expect(queueRows(h)).toEqual([]);
  });

  it("403 when neither Origin nor Referer says where the post comes from", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const response = await request(h.server.url).post("/form").type("form").send("email=anon%40example.com");
    expect(response.status).toBe(403);
    expect(response.text).toContain("did not say which page");
    expect(queueRows(h)).toEqual([]);
  });

  it("takes the origin of Referer when Origin is absent", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const allowed = await request(h.server.url)
      .post("/form")
      .set("Referer", `${SITE}/contact?from=ad`)
      .type("form")
      .send("email=referer%40example.com");
    expect(allowed.status).toBe(200);
    const foreign = await request(h.server.url)
      .post("/form")
      .set("Referer", "https://evil.example/contact")
      .type("form")
      .send("email=foreign%40example.com");
    expect(foreign.status).toBe(403);
    expect(queueRows(h).map((row) => row.email)).toEqual(["referer@example.com"]);
  });

  it("a filled honeypot (_gotcha by default) is answered exactly like a success and no contact is written", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const person = await browserPost(h, { email: "person@example.com", _gotcha: "" });
    const bot = await browserPost(h, { email: "bot@example.com", _gotcha: "http://spam.example" });
    expect(bot.status).toBe(person.status);
    expect(bot.headers["content-type"]).toBe(person.headers["content-type"]);
    expect(bot.text).toBe(person.text);
    const script = await scriptPost(h, { email: "bot2@example.com", _gotcha: "x" });
    expect(script.status).toBe(202);
    expect(script.body).toEqual({ status: "queued", id: expect.any(String) });
    await eventually(() => expect(contactsFor(h, "person@example.com")).toHaveLength(1));
    expect(contactsFor(h, "bot@example.com")).toHaveLength(0);
    expect(contactsFor(h, "bot2@example.com")).toHaveLength(0);
    expect(
      queueRows(h)
        .filter((row) => row.state === "spam")
        .map((row) => row.email),
      // Spam is counted, never kept: two rows, neither with the address.
    ).toEqual(["", ""]);
  });

  it("HONEYPOT_FIELD names another honeypot", async () => {
    h = await startCrmHarness({ env: { ...FORM_ENV, HONEYPOT_FIELD: "website" } });
    expect((await browserPost(h, { email: "bot@example.com", website: "x" })).status).toBe(200);
    expect(queueRows(h)).toEqual([expect.objectContaining({ email: "", state: "spam" })]);
  });

  it("413 for 64 KiB + 1, as a page for a person and JSON for a script; nothing stored", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const prefix = "email=big%40example.com&message=";
    const body = prefix + "a".repeat(64 * 1024 + 1 - prefix.length);
    expect(Buffer.byteLength(body)).toBe(64 * 1024 + 1);
    const page = await request(h.server.url).post("/form").set("Origin", SITE).type("form").send(body);
    expect(page.status).toBe(413);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.text).toContain("too large");
    const script = await request(h.server.url)
      .post("/form")
      .set("Origin", SITE)
      .set("Accept", "application/json")
      .type("form")
      .send(body);
    expect(script.status).toBe(413);
    expect(script.body).toEqual({ error: "request entity too large" });
    expect(script.headers["access-control-allow-origin"]).toBe(SITE);
    expect(queueRows(h)).toEqual([]);
  });

  it("400 naming email for an invalid email in each encoding, the page escaping what was sent", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const page = await browserPost(h, { email: "<b>not-an-email</b>", name: "<script>alert(1)</script>" });
    expect(page.status).toBe(400);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.text).toContain("email: must be an email address");
    expect(page.text).not.toContain("<script>alert");
    expect(page.text).not.toContain("<b>not");

    const json = await scriptPost(h, { email: "nope" });
    expect(json.status).toBe(400);
    expect(json.body).toEqual({
      error: "invalid lead",
      details: [{ field: "email", message: "must be an email address" }],
    });

    const multipart = await request(h.server.url)
      .post("/form")
      .set("Origin", SITE)
      .set("Accept", "application/json")
      .field("email", "still nope");
    expect(multipart.status).toBe(400);
    expect(multipart.body.details).toEqual([{ field: "email", message: "must be an email address" }]);

    const missing = await scriptPost(h, { name: "No Email" });
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([{ field: "email", message: expect.stringContaining("Email") }]);
    expect(queueRows(h)).toEqual([]);
  });

  it("400 for form data that is not UTF-8 and for JSON that does not parse", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const latin1 = await request(h.server.url)
      .post("/form")
      .set("Origin", SITE)
      .type("form")
      .send("email=zoe%40example.com&name=Zo%EB");
    expect(latin1.status).toBe(400);
    expect(latin1.text).toContain("UTF-8");
    expect((await scriptPost(h, "{not json")).status).toBe(400);
    expect(queueRows(h)).toEqual([]);
  });

  it("FORM_FIELD_MAP applies to form fields", async () => {
    h = await startCrmHarness({ env: { ...FORM_ENV, FORM_FIELD_MAP: "email=Your work address,company=Org" } });
    expect((await browserPost(h, { "Your work address": "mapped@example.com", Org: "Mapped Ltd" })).status).toBe(200);
    await eventually(() => expect(contactsFor(h, "mapped@example.com")).toHaveLength(1));
    expect(textOf(contactsFor(h, "mapped@example.com")[0]!, "Company")).toBe("Mapped Ltd");
  });

  it("the same submission twice within 10 minutes is stored once: one contact, one activity, one id", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const fields = { email: "twice@example.com", name: "Twice", message: "Double click" };
    const first = await scriptPost(h, fields);
    const second = await scriptPost(h, { message: "Double click", name: "Twice", email: "twice@example.com" });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect((await browserPost(h, fields)).status).toBe(200);
    await eventually(() => expect(contactsFor(h, "twice@example.com")).toHaveLength(1));
    const [contact] = contactsFor(h, "twice@example.com");
    await eventually(() => expect(activitiesFor(h, contact!.id)).toHaveLength(1));
    // After Notion was written, a re-post still gets the first answer.
    const third = await scriptPost(h, fields);
    expect(third.body).toEqual({ status: "queued", id: first.body.id });
    // Another message, or the same from another site, is another submission.
    expect((await scriptPost(h, { ...fields, message: "Second thought" })).body.id).not.toBe(first.body.id);
    expect((await scriptPost(h, fields, { Origin: OTHER_SITE })).body.id).not.toBe(first.body.id);
    await eventually(() => expect(activitiesFor(h, contact!.id)).toHaveLength(3));
    expect(queueRows(h)).toHaveLength(3);
  });

  it("preflight from an allowed origin: 204 with the methods and headers; another origin gets no Allow-Origin", async () => {
    h = await startCrmHarness({ env: FORM_ENV });
    const allowed = await request(h.server.url)
      .options("/form")
      .set("Origin", SITE)
      .set("Access-Control-Request-Method", "POST")
      .set("Access-Control-Request-Headers", "content-type");
    expect(allowed.status).toBe(204);
    expect(allowed.headers["access-control-allow-origin"]).toBe(SITE);
    expect(allowed.headers["access-control-allow-methods"]).toMatch(/\bPOST\b/);
    expect(allowed.headers["access-control-allow-headers"]).toMatch(/\bContent-Type\b/i);
    expect(allowed.headers.vary).toMatch(/\bOrigin\b/);

    const foreign = await request(h.server.url)
      .options("/form")
      .set("Origin", "https://evil.example")
      .set("Access-Control-Request-Method", "POST");
    expect(foreign.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("429 with Retry-After over the per-email limit, in plain words for a person", async () => {
    h = await startCrmHarness({ env: { ...FORM_ENV, LEADS_PER_EMAIL_PER_HOUR: "1" } });
    expect((await browserPost(h, { email: "eager@example.com", message: "one" })).status).toBe(200);
    const page = await browserPost(h, { email: "eager@example.com", message: "two" });
    expect(page.status).toBe(429);
    expect(Number(page.headers["retry-after"])).toBeGreaterThan(0);
    expect(page.text).toContain("Too many messages");
    const script = await scriptPost(h, { email: "eager@example.com", message: "three" });
    expect(script.status).toBe(429);
    expect(script.body).toEqual({ error: expect.stringContaining("email") });
    expect(queueRows(h)).toHaveLength(1);
  });

  it("counts the browser's address from X-Forwarded-For set by the loopback proxy", async () => {
    h = await startCrmHarness({ env: { ...FORM_ENV, LEADS_PER_IP_PER_HOUR: "1" } });
    const from = (ip: string, email: string) => browserPost(h, { email }, { "X-Forwarded-For": ip });
    expect((await from("203.0.113.7", "a@example.com")).status).toBe(200);
    expect((await from("198.51.100.9", "b@example.com")).status).toBe(200);
    expect((await from("203.0.113.7", "c@example.com")).status).toBe(429);
  });
});
