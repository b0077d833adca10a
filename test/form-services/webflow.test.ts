import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { selectOf, textOf } from "../support/notion-page.js";
import { webflowSignature } from "../support/sign-form-service.js";
import { webflowPayload } from "./fixtures.js";
import {
  activitiesFor,
  contactsFor,
  NO_LIMITS,
  postJson,
  queueRows,
  SERVICE_SECRETS,
  slug,
} from "./form-service-kit.js";

const SECRET = SERVICE_SECRETS.WEBFLOW_SECRET;

describe("POST /lead/webflow", () => {
  let h: CrmHarness;
  beforeAll(async () => {
    h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS } });
  });
  afterAll(() => h.stop());

  const send = (
    body: string,
    { timestampMs = Date.now(), signature = webflowSignature(timestampMs, body, SECRET) } = {},
  ) =>
    postJson(h, "/lead/webflow", body, {
      "x-webflow-timestamp": String(timestampMs),
      "x-webflow-signature": signature,
    });

  it("creates the contact from a form_submission, joining First Name and Last Name", async () => {
    const response = await send(webflowPayload({ email: "zaphod@heartofgold.ai", id: "6321ca84df3949bfc6752327" }));
    expect(response.status).toBe(200);
    const [contact] = contactsFor(h, "zaphod@heartofgold.ai");
    expect(response.body).toEqual({ status: "created", id: contact!.id });
    expect(textOf(contact!, "Name")).toBe("Zaphod Beeblebrox");
    expect(textOf(contact!, "Notes")).toBe("Don't panic");
    expect(selectOf(contact!, "Source")).toBe("website");
    expect(textOf(activitiesFor(h, contact!.id)[0]!, "Notes")).toBe("Don't panic\n\nForm: webflow");
  });

  it("answers a redelivery of the same payload.id like the first and writes it once, even re-signed later", async () => {
    const body = webflowPayload({ email: "replay@heartofgold.ai", id: "6321ca84df3949bfc6750001" });
    const first = await send(body);
    const again = await send(body, { timestampMs: Date.now() + 1_000 });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    expect(contactsFor(h, "replay@heartofgold.ai")).toHaveLength(1);
    expect(queueRows(h).filter((row) => row.idempotency_key === "webflow:6321ca84df3949bfc6750001")).toHaveLength(1);
  });

  it.each([
    ["a timestamp 6 minutes old", { timestampMs: Date.now() - 6 * 60_000 }],
    ["a timestamp 6 minutes ahead", { timestampMs: Date.now() + 6 * 60_000 }],
    ["a timestamp in seconds (Webflow sends milliseconds)", { timestampMs: Math.floor(Date.now() / 1000) }],
  ])("refuses %s, correctly signed, with 401", async (_case, options) => {
    const response = await send(
      webflowPayload({ email: `stale-${slug(_case)}@heartofgold.ai`, id: `stale-${slug(_case)}` }),
      options,
    );
    expect(response.status).toBe(401);
    expect(queueRows(h).map((row) => row.email)).not.toContain(`stale-${slug(_case)}@heartofgold.ai`);
  });

  it("accepts a timestamp 4 minutes old", async () => {
    const response = await send(webflowPayload({ email: "recent@heartofgold.ai", id: "6321ca84df3949bfc6750003" }), {
      timestampMs: Date.now() - 4 * 60_000,
    });
    expect(response.status).toBe(200);
  });

  it("refuses a signature made with another secret, and one whose timestamp was changed", async () => {
    const body = webflowPayload({ email: "refused@heartofgold.ai", id: "6321ca84df3949bfc6750004" });
    const now = Date.now();
    expect(
      (await send(body, { signature: webflowSignature(now, body, "another-secret"), timestampMs: now })).status,
    ).toBe(401);
    expect(
      (await send(body, { signature: webflowSignature(now - 1_000, body, SECRET), timestampMs: now })).status,
    ).toBe(401);
    expect(queueRows(h).map((row) => row.email)).not.toContain("refused@heartofgold.ai");
  });

  it("refuses a tampered body", async () => {
    const signed = webflowPayload({ email: "real@heartofgold.ai", id: "6321ca84df3949bfc6750005" });
    const now = Date.now();
    const response = await send(signed.replace("Don't panic", "Panic"), {
      timestampMs: now,
      signature: webflowSignature(now, signed, SECRET),
    });
    expect(response.status).toBe(401);
  });

  it("answers other triggers with 200 ignored", async () => {
    const response = await send(
      webflowPayload(
        { email: "publish@heartofgold.ai", id: "6321ca84df3949bfc6750006" },
        { triggerType: "site_publish" },
      ),
    );
    expect(response.body).toEqual({ status: "ignored" });
    expect(queueRows(h).map((row) => row.email)).not.toContain("publish@heartofgold.ai");
  });
});
