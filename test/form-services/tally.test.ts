import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { selectOf, textOf } from "../support/notion-page.js";
import { tallySignature } from "../support/sign-form-service.js";
import { tallyPayload } from "./fixtures.js";
import {
  activitiesFor,
  contactsFor,
  NO_LIMITS,
  postJson,
  queueRows,
  SERVICE_SECRETS,
  slug,
} from "./form-service-kit.js";

const SECRET = SERVICE_SECRETS.TALLY_SECRET;

describe("POST /lead/tally", () => {
  let h: CrmHarness;
  beforeAll(async () => {
    h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS } });
  });
  afterAll(() => h.stop());

  const send = (body: string, signature = tallySignature(body, SECRET)) =>
    postJson(h, "/lead/tally", body, { "Tally-Signature": signature });

  it("creates the contact from a FORM_RESPONSE: first and last name joined, labels matched, hidden utm_source as Source", async () => {
    const response = await send(tallyPayload({ email: "bob@stone.example", id: "2wgx4n" }));
    expect(response.status).toBe(200);
    const [contact] = contactsFor(h, "bob@stone.example");
    expect(response.body).toEqual({ status: "created", id: contact!.id });
    expect(textOf(contact!, "Name")).toBe("Bob Stone");
    expect(textOf(contact!, "Company")).toBe("Stone & Co");
    expect(textOf(contact!, "Notes")).toBe("Looking for a quote");
    expect(selectOf(contact!, "Source")).toBe("linkedin");
    expect(textOf(activitiesFor(h, contact!.id)[0]!, "Notes")).toBe("Looking for a quote\n\nForm: tally");
  });

  it("answers a redelivery of the same responseId like the first and writes it once", async () => {
    const body = tallyPayload({ email: "replay@stone.example", id: "rPlay1" });
    const first = await send(body);
    const again = await send(body);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    expect(contactsFor(h, "replay@stone.example")).toHaveLength(1);
    expect(activitiesFor(h, contactsFor(h, "replay@stone.example")[0]!.id)).toHaveLength(1);
    expect(queueRows(h).filter((row) => row.idempotency_key === "tally:rPlay1")).toHaveLength(1);
  });

  it.each([
    ["a signature made with another secret", (body: string) => tallySignature(body, "another-secret")],
    [
      "the digest in hex instead of base64",
      (body: string) => Buffer.from(tallySignature(body, SECRET), "base64").toString("hex"),
    ],
    ["no signature", () => ""],
  ])("refuses %s with 401 and writes nothing", async (_case, sign) => {
    const body = tallyPayload({ email: `refused-${slug(_case)}@stone.example`, id: `rf-${slug(_case)}` });
    const response = await send(body, sign(body));
    expect(response.status).toBe(401);
    expect(queueRows(h).map((row) => row.email)).not.toContain(`refused-${slug(_case)}@stone.example`);
  });

  it("refuses a tampered body", async () => {
    const signed = tallyPayload({ email: "real@stone.example", id: "tmpr01" });
    const response = await send(signed.replace("Stone & Co", "Evil Corp"), tallySignature(signed, SECRET));
    expect(response.status).toBe(401);
    expect(contactsFor(h, "real@stone.example")).toHaveLength(0);
  });
});
