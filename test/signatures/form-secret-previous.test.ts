import { afterEach, describe, expect, it } from "vitest";
import { verifyFormSignature } from "../../src/signatures/verify-form-signature.js";
import { FORM_SECRET, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { formSignatureHex, standardWebhookSignature } from "../support/sign.js";
import request from "supertest";

// Rotating FORM_SECRET: while FORM_SECRET_PREVIOUS is set, a body signed with
// either key passes, in both schemes; any other key still fails.
const NEW_KEY = "new-form-secret-for-tests";
const OLD_KEY = "old-form-secret-for-tests";
const OTHER_KEY = "a-key-nobody-configured";
const BODY = Buffer.from('{"email":"rotate@example.com"}');
const NOW_MS = 1_800_000_000_000;
const NOW_S = NOW_MS / 1000;
const BOTH = [NEW_KEY, OLD_KEY];

const hmacHeaders = (key: string) => ({ "x-form-signature": formSignatureHex(BODY, key) });
const standardHeaders = (key: string) => ({
  "webhook-id": "msg_rotate",
  "webhook-timestamp": String(NOW_S),
  "webhook-signature": standardWebhookSignature("msg_rotate", NOW_S, BODY, key),
});
const verify = (headers: Record<string, string>, keys: readonly string[]) =>
  verifyFormSignature(BODY, (name) => headers[name.toLowerCase()], keys, NOW_MS);

describe.each([
  ["X-Form-Signature", hmacHeaders],
  ["Standard Webhooks", standardHeaders],
])("%s with two keys", (_scheme, headersFor) => {
  it("accepts a body signed with the current key or the previous one", () => {
    expect(verify(headersFor(NEW_KEY), BOTH)).toMatchObject({ ok: true });
    expect(verify(headersFor(OLD_KEY), BOTH)).toMatchObject({ ok: true });
  });

  it("refuses a body signed with any other key", () => {
    expect(verify(headersFor(OTHER_KEY), BOTH)).toMatchObject({ ok: false });
  });

  it("refuses the previous key once it is no longer configured", () => {
    expect(verify(headersFor(OLD_KEY), [NEW_KEY])).toMatchObject({ ok: false });
  });

  it("accepts whsec_ keys among them", () => {
    const whsec = `whsec_${Buffer.from("rotated-key-bytes").toString("base64")}`;
    expect(verify(headersFor(whsec), [NEW_KEY, whsec])).toMatchObject({ ok: true });
  });
});

describe("POST /lead during a FORM_SECRET rotation", () => {
  let h: CrmHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const post = (server: CrmHarness, raw: string, key: string) =>
    request(server.server.url)
      .post("/lead")
      .set("Content-Type", "application/json")
      .set("X-Form-Signature", formSignatureHex(raw, key))
      .send(raw);

  it("takes leads signed with FORM_SECRET or FORM_SECRET_PREVIOUS, refuses others, and never logs either key", async () => {
    h = await startCrmHarness({ env: { FORM_SECRET_PREVIOUS: OLD_KEY } });
    const fromNew = await post(h, JSON.stringify({ email: "new-key@example.com" }), FORM_SECRET);
    const fromOld = await post(h, JSON.stringify({ email: "old-key@example.com" }), OLD_KEY);
    const fromOther = await post(h, JSON.stringify({ email: "other-key@example.com" }), OTHER_KEY);
    expect([fromNew.status, fromOld.status, fromOther.status]).toEqual([200, 200, 401]);
    const emails = h.contacts().map((page) => (page.properties.Email as { email: string }).email);
    expect(emails.sort()).toEqual(["new-key@example.com", "old-key@example.com"]);
    expect(h.log.raw.join("\n")).not.toContain(OLD_KEY);
  });

  it("refuses the previous key when FORM_SECRET_PREVIOUS is unset", async () => {
    h = await startCrmHarness();
    const fromOld = await post(h, JSON.stringify({ email: "old-key@example.com" }), OLD_KEY);
    expect(fromOld.status).toBe(401);
    expect(h.contacts()).toEqual([]);
  });
});
