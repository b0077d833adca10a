import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { textOf } from "../support/notion-page.js";
import { framerSignature } from "../support/sign-form-service.js";
import { framerPayload } from "./fixtures.js";
import {
  activitiesFor,
  contactsFor,
  NO_LIMITS,
  postJson,
  queueRows,
  SERVICE_SECRETS,
  slug,
} from "./form-service-kit.js";

const SECRET = SERVICE_SECRETS.FRAMER_SECRET;

describe("POST /lead/framer", () => {
  let h: CrmHarness;
  beforeAll(async () => {
    h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS } });
  });
  afterAll(() => h.stop());

  const send = (body: string, submissionId: string, signature = framerSignature(body, submissionId, SECRET)) =>
    postJson(h, "/lead/framer", body, { "Framer-Signature": signature, "Framer-Webhook-Submission-Id": submissionId });

  it("creates the contact from the input names, with utm_campaign on the activity", async () => {
    const response = await send(framerPayload({ email: "dan@brown.example" }), "0fbbb90e-564b-4870-ac8b-78f9bc4e44a6");
    expect(response.status).toBe(200);
    const [contact] = contactsFor(h, "dan@brown.example");
    expect(response.body).toEqual({ status: "created", id: contact!.id });
    expect(textOf(contact!, "Name")).toBe("Dan Brown");
    expect(textOf(contact!, "Company")).toBe("Brown Ltd");
    expect(textOf(activitiesFor(h, contact!.id)[0]!, "Notes")).toBe("Hi there\n\nForm: framer\nutm_campaign: launch");
  });

  it("answers a redelivery of the same submission id like the first and writes it once", async () => {
    const body = framerPayload({ email: "replay@brown.example" });
    const first = await send(body, "11111111-564b-4870-ac8b-78f9bc4e44a6");
    const again = await send(body, "11111111-564b-4870-ac8b-78f9bc4e44a6");
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    expect(contactsFor(h, "replay@brown.example")).toHaveLength(1);
    expect(
      queueRows(h).filter((row) => row.idempotency_key === "framer:11111111-564b-4870-ac8b-78f9bc4e44a6"),
    ).toHaveLength(1);
  });

  it("refuses a signature that does not cover this submission id (the id is signed)", async () => {
    const body = framerPayload({ email: "swapped@brown.example" });
    const response = await send(
      body,
      "22222222-564b-4870-ac8b-78f9bc4e44a6",
      framerSignature(body, "33333333-564b-4870-ac8b-78f9bc4e44a6", SECRET),
    );
    expect(response.status).toBe(401);
  });

  it.each([
    [
      "a signature made with another secret",
      (body: string, id: string) => framerSignature(body, id, "another-secret-of-at-least-32-characters"),
    ],
    ["a signature over the body alone", (body: string) => framerSignature(body, "", SECRET)],
    [
      "a base64 digest",
      (body: string, id: string) =>
        `sha256=${Buffer.from(framerSignature(body, id, SECRET).slice(7), "hex").toString("base64")}`,
    ],
    ["no signature", () => ""],
  ])("refuses %s with 401 and writes nothing", async (_case, sign) => {
    const body = framerPayload({ email: `refused-${slug(_case)}@brown.example` });
    const id = `44444444-${slug(_case)}`;
    const response = await send(body, id, sign(body, id));
    expect(response.status).toBe(401);
    expect(queueRows(h).map((row) => row.email)).not.toContain(`refused-${slug(_case)}@brown.example`);
  });

  it("refuses a request without the submission id header", async () => {
    const body = framerPayload({ email: "noid@brown.example" });
    const response = await postJson(h, "/lead/framer", body, { "Framer-Signature": framerSignature(body, "", SECRET) });
    expect(response.status).toBe(401);
  });

  it("refuses a tampered body", async () => {
    const signed = framerPayload({ email: "real@brown.example" });
    const id = "55555555-564b-4870-ac8b-78f9bc4e44a6";
    const response = await send(signed.replace("Brown Ltd", "Evil Corp"), id, framerSignature(signed, id, SECRET));
    expect(response.status).toBe(401);
  });
});
