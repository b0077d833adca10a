import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { textOf } from "../support/notion-page.js";
import { formspreeSignature } from "../support/sign-form-service.js";
import { formSignatureHex } from "../support/sign.js";
import { formspreePayload } from "./fixtures.js";
import {
  activitiesFor,
  contactsFor,
  NO_LIMITS,
  postJson,
  queueRows,
  SERVICE_SECRETS,
  slug,
} from "./form-service-kit.js";

const SECRET = SERVICE_SECRETS.FORMSPREE_SECRET;
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("POST /lead/formspree", () => {
  let h: CrmHarness;
  beforeAll(async () => {
    h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS } });
  });
  afterAll(() => h.stop());

  const send = (body: string, signature = formspreeSignature(nowSeconds(), body, SECRET)) =>
    postJson(h, "/lead/formspree", body, { "Formspree-Signature": signature });

  it("creates the contact from the fields under `submission`", async () => {
    const response = await send(formspreePayload({ email: "carol@initech.example", id: "1" }));
    expect(response.status).toBe(200);
    const [contact] = contactsFor(h, "carol@initech.example");
    expect(response.body).toEqual({ status: "created", id: contact!.id });
    expect(textOf(contact!, "Name")).toBe("Carol Shaw");
    expect(textOf(contact!, "Company")).toBe("Initech");
    expect(textOf(contact!, "Notes")).toBe("Demo please");
  });

  it("answers a redelivery (same bytes, signed again with a new t) like the first and writes it once", async () => {
    const body = formspreePayload({ email: "replay@initech.example", id: "2" });
    const first = await send(body, formspreeSignature(nowSeconds() - 30, body, SECRET));
    const again = await send(body, formspreeSignature(nowSeconds(), body, SECRET));
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    const [contact, ...others] = contactsFor(h, "replay@initech.example");
    expect(others).toHaveLength(0);
    expect(activitiesFor(h, contact!.id)).toHaveLength(1);
  });

  it("takes a second submission of the same person as a new lead (its _date differs)", async () => {
    await send(formspreePayload({ email: "twice@initech.example", id: "3" }));
    await send(formspreePayload({ email: "twice@initech.example", id: "4" }));
    expect(queueRows(h).filter((row) => row.email === "twice@initech.example")).toHaveLength(2);
  });

  it("accepts any one of several v1 signatures, so the secret can rotate", async () => {
    const body = formspreePayload({ email: "rotate@initech.example", id: "5" });
    const t = nowSeconds();
    const v1 = (secret: string) => formspreeSignature(t, body, secret).split(",")[1]!;
    const response = await send(body, `t=${t},${v1("previous-secret")},${v1(SECRET)}`);
    expect(response.status).toBe(200);
  });

  it.each([
    ["a t 6 minutes old", (body: string) => formspreeSignature(nowSeconds() - 360, body, SECRET)],
    ["a t 6 minutes ahead", (body: string) => formspreeSignature(nowSeconds() + 360, body, SECRET)],
    [
      "a signature made with another secret",
      (body: string) => formspreeSignature(nowSeconds(), body, "another-secret"),
    ],
    ["a v1 over the body alone, without t", (body: string) => `t=${nowSeconds()},v1=${formSignatureHex(body, SECRET)}`],
    ["no t", (body: string) => formspreeSignature(nowSeconds(), body, SECRET).split(",")[1]!],
    ["no signature", () => ""],
  ])("refuses %s with 401 and writes nothing", async (_case, sign) => {
    const body = formspreePayload({ email: `refused-${slug(_case)}@initech.example`, id: "6" });
    const response = await send(body, sign(body));
    expect(response.status).toBe(401);
    expect(queueRows(h).map((row) => row.email)).not.toContain(`refused-${slug(_case)}@initech.example`);
  });

  it("refuses a tampered body", async () => {
    const signed = formspreePayload({ email: "real@initech.example", id: "7" });
    const response = await send(
      signed.replace("Initech", "Evil Corp"),
      formspreeSignature(nowSeconds(), signed, SECRET),
    );
    expect(response.status).toBe(401);
  });
});
