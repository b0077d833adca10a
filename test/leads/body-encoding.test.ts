import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, parseJsonObject } from "../../src/leads/parse-json-object.js";
import { FORM_SECRET, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { framerSignature } from "../support/sign-form-service.js";
import { formSignatureHex } from "../support/sign.js";
import { NO_LIMITS, SERVICE_SECRETS } from "../form-services/form-service-kit.js";

const deepArray = (depth: number) => "[".repeat(depth) + '"x"' + "]".repeat(depth);

describe("parseJsonObject", () => {
  it("refuses nesting past the limit, counted without recursion", () => {
    const deep = parseJsonObject(Buffer.from(`{"a":${deepArray(100_000)}}`));
    expect(deep).toMatchObject({ ok: false, error: "body is nested too deeply" });
    expect(parseJsonObject(Buffer.from(`{"a":${deepArray(MAX_JSON_DEPTH - 1)}}`)).ok).toBe(true);
  });

  it("does not count brackets inside strings", () => {
    const parsed = parseJsonObject(
      Buffer.from(JSON.stringify({ message: "[".repeat(500) + '\\"{' + "{".repeat(500) })),
    );
    expect(parsed.ok).toBe(true);
  });

  it("refuses bytes that are not UTF-8, naming where, instead of replacing them", () => {
    const latin1 = Buffer.from('{"name":"José García"}', "latin1");
    const parsed = parseJsonObject(latin1);
    expect(parsed).toEqual({
      ok: false,
      error: "body is not valid UTF-8",
      details: [{ field: "body", message: "invalid UTF-8 near byte 13; send the text as UTF-8 (not Latin-1)" }],
    });
  });

  it("honours a declared UTF-8 charset and refuses any other", () => {
    const body = Buffer.from('{"name":"José"}');
    expect(parseJsonObject(body, "application/json; charset=UTF-8")).toEqual({ ok: true, json: { name: "José" } });
    expect(parseJsonObject(body, "application/json; charset=iso-8859-1")).toMatchObject({
      ok: false,
      details: [{ field: "charset", message: 'charset "iso-8859-1" is not supported; send UTF-8' }],
    });
  });
});

describe("the lead routes", () => {
  let h: CrmHarness;
  beforeAll(async () => {
    h = await startCrmHarness({ env: { ...SERVICE_SECRETS, ...NO_LIMITS } });
  });
  afterAll(() => h.stop());

  it("answer a signed form-service body with a 10,000-deep answer 400, not 500", async () => {
    const body = `{"Email":"deep@example.com","Message":${deepArray(10_000)}}`;
    const response = await request(h.server.url)
      .post("/lead/framer")
      .set("Content-Type", "application/json")
      .set("Framer-Signature", framerSignature(body, "deep-1", SERVICE_SECRETS.FRAMER_SECRET))
      .set("Framer-Webhook-Submission-Id", "deep-1")
      .send(body);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe("body is nested too deeply");
  });

  it("answer a Latin-1 lead on /lead 400 and write nothing", async () => {
    const raw = Buffer.from('{"email":"jose@example.com","name":"José García"}', "latin1");
    const response = await fetch(`${h.server.url}/lead`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-form-signature": formSignatureHex(raw, FORM_SECRET) },
      body: raw,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("body is not valid UTF-8");
    expect(h.contacts().filter((page) => JSON.stringify(page).includes("jose@example.com"))).toEqual([]);
  });
});
