import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, FORM_SECRET, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { textOf } from "../support/notion-page.js";
import { framerSignature, typeformSignature } from "../support/sign-form-service.js";
import { framerPayload } from "./fixtures.js";
import { contactsFor, NO_LIMITS, postJson, queueRows, SERVICE_SECRETS } from "./form-service-kit.js";

const FRAMER = SERVICE_SECRETS.FRAMER_SECRET;
const sendFramer = (h: CrmHarness, body: string, id: string, contentType = "application/json") =>
  request(h.server.url)
    .post("/lead/framer")
    .set("Content-Type", contentType)
    .set("Framer-Signature", framerSignature(body, id, FRAMER))
    .set("Framer-Webhook-Submission-Id", id)
    .send(body);

describe("POST /lead/<service>", () => {
  let h: CrmHarness;
  afterEach(async () => {
    await h?.stop();
  });

  it("answers 404 for every service whose secret is unset, and /lead works as before", async () => {
    h = await startCrmHarness();
    for (const service of ["typeform", "tally", "webflow", "formspree", "framer"]) {
      const response = await postJson(h, `/lead/${service}`, "{}");
      expect(response.status, service).toBe(404);
      expect(response.body).toEqual({ error: "not found" });
    }
    expect((await h.postLead({ email: "plain@example.com" })).status).toBe(200);
  });

  it("opens only the services whose secret is set, and 404s unknown ones", async () => {
    h = await startCrmHarness({ env: { TYPEFORM_SECRET: SERVICE_SECRETS.TYPEFORM_SECRET } });
    expect(
      (await postJson(h, "/lead/typeform", "{}", { "Typeform-Signature": typeformSignature("{}", "nope") })).status,
    ).toBe(401);
    expect((await postJson(h, "/lead/tally", "{}")).status).toBe(404);
    expect((await postJson(h, "/lead/jotform", "{}")).status).toBe(404);
    expect(h.log.lines()).toContainEqual(
      expect.objectContaining({ msg: "server listening", formServices: ["typeform"] }),
    );
  });

  it("maps fields by the labels named in FORM_FIELD_MAP before the defaults", async () => {
    h = await startCrmHarness({
      env: {
        ...SERVICE_SECRETS,
        ...NO_LIMITS,
        FORM_FIELD_MAP: "email=Contact address,company=Employer|Org,message=Project details",
      },
    });
    const body = JSON.stringify({
      Email: "ignored@example.com",
      "Contact address": "mapped@example.com",
      Name: "Eve",
      Org: "Mapped Inc",
      "Project details": "A new roof",
    });
    expect((await sendFramer(h, body, "map-1")).status).toBe(200);
    const [contact] = contactsFor(h, "mapped@example.com");
    expect(textOf(contact!, "Company")).toBe("Mapped Inc");
    expect(textOf(contact!, "Notes")).toBe("A new roof");
    expect(contactsFor(h, "ignored@example.com")).toHaveLength(0);
  });

  it("400 naming the email, and saying how to map it, when no answer maps to email", async () => {
    h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS } });
    const response = await sendFramer(h, JSON.stringify({ "Contact address": "a@b.co", Name: "Ann" }), "nomail-1");
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: "invalid lead",
      details: [{ field: "email", message: expect.stringContaining("FORM_FIELD_MAP") }],
    });
    expect(queueRows(h)).toEqual([]);
  });

  it("400 naming the field for invalid JSON and for a malformed email, after the signature passed", async () => {
    h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS } });
    const invalid = await sendFramer(h, '{"Email":', "json-1");
    expect(invalid.status).toBe(400);
    expect(invalid.body.details).toEqual([expect.objectContaining({ field: "body" })]);
    const malformed = await sendFramer(h, framerPayload({ email: "not-an-email" }), "bad-1");
    expect(malformed.status).toBe(400);
    expect(malformed.body.details).toEqual([expect.objectContaining({ field: "email" })]);
    expect(queueRows(h)).toEqual([]);
  });

  it("415 for a body that is not JSON and 413 over 64 KiB, as /lead", async () => {
    h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS } });
    expect((await sendFramer(h, "Email=a@b.co", "form-1", "application/x-www-form-urlencoded")).status).toBe(415);
    expect(
      (await sendFramer(h, framerPayload({ email: "big@example.com" }, { Message: "x".repeat(100 * 1024) }), "big-1"))
        .status,
    ).toBe(413);
    expect(queueRows(h)).toEqual([]);
  });

  it("never writes a service's secret to the log, even on a refusal", async () => {
    h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS } });
    await postJson(h, "/lead/framer", "{}", {
      "Framer-Signature": `sha256=${"0".repeat(64)}`,
      "Framer-Webhook-Submission-Id": "x",
    });
    await sendFramer(h, framerPayload({ email: "ok@example.com" }), "log-1");
    const log = h.log.raw.join("\n");
    for (const secret of [...Object.values(SERVICE_SECRETS), FORM_SECRET]) expect(log).not.toContain(secret);
    expect(h.log.lines()).toContainEqual(
      expect.objectContaining({ msg: "form lead refused: bad signature", service: "framer" }),
    );
  });

  it("answers 202 queued while Notion is down and writes the lead once it is back", async () => {
    h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS }, overrides: { leadResponseWaitMs: 300 } });
    h.crm.emulator.faults.unavailableFor(1_500, 503);
    const response = await sendFramer(h, framerPayload({ email: "later@example.com" }), "down-1");
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ status: "queued", id: expect.any(String) });
    await eventually(() => expect(contactsFor(h, "later@example.com")).toHaveLength(1), { timeoutMs: 15_000 });
  });
});
