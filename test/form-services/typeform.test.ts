import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { selectOf, textOf } from "../support/notion-page.js";
import { typeformSignature } from "../support/sign-form-service.js";
import { typeformPayload } from "./fixtures.js";
import {
  activitiesFor,
  contactsFor,
  NO_LIMITS,
  postJson,
  queueRows,
  SERVICE_SECRETS,
  slug,
} from "./form-service-kit.js";

const SECRET = SERVICE_SECRETS.TYPEFORM_SECRET;

describe("POST /lead/typeform", () => {
  let h: CrmHarness;
  beforeAll(async () => {
    h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS } });
  });
  afterAll(() => h.stop());

  const send = (body: string, signature = typeformSignature(body, SECRET)) =>
    postJson(h, "/lead/typeform", body, { "Typeform-Signature": signature });

  it("creates the contact from a form_response: email answer, refs, question titles and hidden UTM fields", async () => {
    const response = await send(typeformPayload({ email: "Ann@Example.com", id: "tok-valid" }));
    expect(response.status).toBe(200);
    const [contact] = contactsFor(h, "ann@example.com");
    expect(response.body).toEqual({ status: "created", id: contact!.id });
    expect(textOf(contact!, "Name")).toBe("Ann Lee");
    expect(textOf(contact!, "Company")).toBe("Acme");
    expect(textOf(contact!, "Notes")).toBe("Please call me about pricing");
    expect(selectOf(contact!, "Source")).toBe("newsletter");
    const [activity] = activitiesFor(h, contact!.id);
    expect(textOf(activity!, "Notes")).toBe(
      "Please call me about pricing\n\nForm: typeform\nutm_medium: email\nutm_campaign: autumn\nPage: https://acme.example/contact",
    );
  });

  it("answers a redelivery of the same response token like the first and writes it once", async () => {
    const body = typeformPayload({ email: "replay@example.com", id: "tok-replay" });
    const first = await send(body);
    const again = await send(body);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const contacts = contactsFor(h, "replay@example.com");
    expect(contacts).toHaveLength(1);
    expect(activitiesFor(h, contacts[0]!.id)).toHaveLength(1);
    expect(queueRows(h).filter((row) => row.idempotency_key === "typeform:tok-replay")).toHaveLength(1);
  });

  it.each([
    ["a signature made with another secret", (body: string) => typeformSignature(body, "another-secret")],
    [
      "a hex digest where Typeform sends base64",
      (body: string) => `sha256=${Buffer.from(typeformSignature(body, SECRET).slice(7), "base64").toString("hex")}`,
    ],
    ["a digest without the sha256= prefix", (body: string) => typeformSignature(body, SECRET).slice(7)],
    ["no signature", () => ""],
  ])("refuses %s with 401 and writes nothing", async (_case, sign) => {
    const body = typeformPayload({ email: `refused-${slug(_case)}@example.com`, id: `tok-${slug(_case)}` });
    const response = await send(body, sign(body));
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: "invalid signature" });
    expect(contactsFor(h, `refused-${slug(_case)}@example.com`)).toHaveLength(0);
    expect(queueRows(h).map((row) => row.email)).not.toContain(`refused-${slug(_case)}@example.com`);
  });

  it("refuses a tampered body: signed for one email, sent with another", async () => {
    const signed = typeformPayload({ email: "real@example.com", id: "tok-tamper" });
    const tampered = signed.replace("real@example.com", "eve@example.com");
    const response = await send(tampered, typeformSignature(signed, SECRET));
    expect(response.status).toBe(401);
    expect(contactsFor(h, "eve@example.com")).toHaveLength(0);
  });

  it("answers other events (partial responses) with 200 ignored and stores nothing", async () => {
    const response = await send(
      typeformPayload({ email: "partial@example.com", id: "tok-partial" }, { eventType: "form_response_partial" }),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ignored" });
    expect(queueRows(h).map((row) => row.email)).not.toContain("partial@example.com");
  });

  it("400 naming the email when the answer is not an email address", async () => {
    const response = await send(typeformPayload({ email: "not-an-email", id: "tok-bad" }));
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([expect.objectContaining({ field: "email" })]);
  });
});
