import { base64Digest, digestsEqual, hexDigest, hmacSha256 } from "./hmac.js";
import { withinSignatureWindow } from "./within-signature-window.js";

const WHSEC_PREFIX = "whsec_";
const SHA256_PREFIX = "sha256=";

export type HeaderReader = (name: string) => string | undefined;
export type SignatureCheck = { ok: true; deliveryId?: string } | { ok: false; reason: string };

/**
 * Verifies a /lead body, over the exact bytes received, with either scheme
 * of the contract:
 * - `X-Form-Signature: [sha256=]<hex HMAC-SHA256(body)>`;
 * - Standard Webhooks: `webhook-id`, `webhook-timestamp` and
 *   `webhook-signature: v1,<base64 HMAC-SHA256("id.timestamp.body")> ...`
 *   (several, for secret rotation). Its id is the idempotency key.
 * Any of `secrets` may have signed it: FORM_SECRET and, while a key is
 * being rotated, FORM_SECRET_PREVIOUS.
 * The reason is for the log only; the caller answers every failure the same.
 */
export function verifyFormSignature(
  body: Buffer,
  header: HeaderReader,
  secrets: string | readonly string[],
  nowMs = Date.now(),
): SignatureCheck {
  const keys = typeof secrets === "string" ? [secrets] : secrets;
  const standardSignature = header("webhook-signature");
  if (standardSignature !== undefined) return verifyStandardWebhook(body, header, standardSignature, keys, nowMs);

  const given = header("x-form-signature")?.trim();
  if (given === undefined || given === "") return { ok: false, reason: "no signature header" };
  const hex = given.toLowerCase().startsWith(SHA256_PREFIX) ? given.slice(SHA256_PREFIX.length) : given;
  const digest = hexDigest(hex);
  if (digest === undefined) return { ok: false, reason: "X-Form-Signature is not a 64-digit hex digest" };
  return keys.some((secret) => digestsEqual(hmacSha256(secret, body), digest))
    ? { ok: true }
    : { ok: false, reason: "X-Form-Signature does not match" };
}

function verifyStandardWebhook(
  body: Buffer,
  header: HeaderReader,
  signatures: string,
  secrets: readonly string[],
  nowMs: number,
): SignatureCheck {
  const id = header("webhook-id")?.trim();
  const timestamp = header("webhook-timestamp")?.trim();
  if (!id || !timestamp) return { ok: false, reason: "webhook-id or webhook-timestamp missing" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "webhook-timestamp is not unix seconds" };
  if (!withinSignatureWindow(Number(timestamp) * 1000, nowMs)) {
    return { ok: false, reason: "webhook-timestamp is more than 5 minutes from now" };
  }
  const expected = secrets.map((secret) => hmacSha256(signingKey(secret), `${id}.${timestamp}.`, body));
  const matches = signatures
    .split(" ")
    .filter((entry) => entry.startsWith("v1,"))
    .some((entry) => {
      const digest = base64Digest(entry.slice(3));
      return digest !== undefined && expected.some((key) => digestsEqual(key, digest));
    });
  return matches ? { ok: true, deliveryId: id } : { ok: false, reason: "no webhook-signature matches" };
}

/** `whsec_<base64>` secrets are keys in base64; any other secret is used as its UTF-8 bytes. */
function signingKey(secret: string): Buffer {
  return secret.startsWith(WHSEC_PREFIX)
    ? Buffer.from(secret.slice(WHSEC_PREFIX.length), "base64")
    : Buffer.from(secret, "utf8");
}
