import { describe, expect, it } from "vitest";
import { verifyFormSignature } from "../../src/signatures/verify-form-signature.js";
import { formSignatureHex, standardWebhookSignature } from "../support/sign.js";

const SECRET = "form-secret-for-tests";
const BODY = Buffer.from('{"email":"ann@example.com","name":"Ann"}');
const NOW_MS = 1_800_000_000_000;
const NOW_S = NOW_MS / 1000;

const reader = (headers: Record<string, string>) => (name: string) => headers[name.toLowerCase()];
const check = (headers: Record<string, string>, body = BODY, secret = SECRET) =>
  verifyFormSignature(body, reader(headers), secret, NOW_MS);

describe("X-Form-Signature", () => {
  const good = formSignatureHex(BODY, SECRET);

  it("accepts the lowercase hex HMAC of the raw body", () => {
    expect(check({ "x-form-signature": good })).toEqual({ ok: true });
  });

  it("accepts the sha256= prefix", () => {
    expect(check({ "x-form-signature": `sha256=${good}` })).toEqual({ ok: true });
  });

  it.each([
    ["a missing header", {}],
    ["an empty header", { "x-form-signature": "" }],
    ["the wrong secret", { "x-form-signature": formSignatureHex(BODY, "another-secret") }],
    ["the digest in base64 instead of hex", { "x-form-signature": Buffer.from(good, "hex").toString("base64") }],
    ["a truncated digest", { "x-form-signature": good.slice(0, 63) }],
    ["a digest one character longer", { "x-form-signature": `${good}0` }],
    ["a non-hex digest of the right length", { "x-form-signature": `${good.slice(0, 63)}z` }],
  ])("refuses %s", (_case, headers) => {
    expect(check(headers)).toMatchObject({ ok: false });
  });

  it("refuses a tampered body", () => {
    expect(check({ "x-form-signature": good }, Buffer.from('{"email":"eve@example.com","name":"Ann"}'))).toMatchObject({
      ok: false,
    });
  });

  it("signs the exact bytes: the same JSON with other whitespace does not verify", () => {
    expect(
      check({ "x-form-signature": good }, Buffer.from('{ "email": "ann@example.com", "name": "Ann" }')),
    ).toMatchObject({ ok: false });
  });
});

describe("Standard Webhooks headers", () => {
  const id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  const headers = (overrides: Record<string, string> = {}, secret = SECRET, timestamp = NOW_S) => ({
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": standardWebhookSignature(id, timestamp, BODY, secret),
    ...overrides,
  });

  it("accepts a valid signature and returns the delivery id as the idempotency key", () => {
    expect(check(headers())).toEqual({ ok: true, deliveryId: id });
  });

  it("accepts a whsec_ secret as base64 key bytes", () => {
    const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
    expect(check(headers({}, secret), BODY, secret)).toEqual({ ok: true, deliveryId: id });
  });

  it("accepts any one of several signatures, so a secret can rotate", () => {
    const rotated = `v1,${Buffer.alloc(32, 7).toString("base64")} ${standardWebhookSignature(id, NOW_S, BODY, SECRET)}`;
    expect(check(headers({ "webhook-signature": rotated }))).toMatchObject({ ok: true });
  });

  it("accepts timestamps up to 5 minutes either side of now", () => {
    expect(check(headers({}, SECRET, NOW_S - 299))).toMatchObject({ ok: true });
    expect(check(headers({}, SECRET, NOW_S + 299))).toMatchObject({ ok: true });
  });

  it.each([
    ["a stale timestamp", () => headers({}, SECRET, NOW_S - 301)],
    ["a future timestamp", () => headers({}, SECRET, NOW_S + 301)],
    ["a timestamp that is not a number", () => ({ ...headers(), "webhook-timestamp": "yesterday" })],
    ["a missing webhook-id", () => ({ ...headers(), "webhook-id": "" })],
    ["a missing webhook-timestamp", () => ({ ...headers(), "webhook-timestamp": "" })],
    ["the wrong secret", () => headers({}, "another-secret")],
    ["a changed id", () => ({ ...headers(), "webhook-id": "msg_other" })],
    [
      "a signature without the v1 prefix",
      () => ({ ...headers(), "webhook-signature": headers()["webhook-signature"].slice(3) }),
    ],
    [
      "a hex signature where base64 belongs",
      () => ({
        ...headers(),
        "webhook-signature": `v1,${formSignatureHex(`${id}.${NOW_S}.${BODY.toString()}`, SECRET)}`,
      }),
    ],
  ])("refuses %s", (_case, make) => {
    expect(check(make())).toMatchObject({ ok: false });
  });

  it("refuses a tampered body", () => {
    expect(check(headers(), Buffer.from('{"email":"eve@example.com"}'))).toMatchObject({ ok: false });
  });
});
