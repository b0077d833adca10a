import { createHash } from "node:crypto";
import { digestsEqual, hexDigest, hmacSha256 } from "../signatures/hmac.js";
import { withinSignatureWindow } from "../signatures/within-signature-window.js";

/** Why a delivery was refused, for the log only: the answer never says. */
export type Verdict = { ok: true } | { ok: false; reason: string };

const OK: Verdict = { ok: true };
const refuse = (reason: string): Verdict => ({ ok: false, reason });

/**
 * Postmark: HTTP basic auth in the webhook URL (https://user:password@host/…),
 * the password being INBOUND_EMAIL_SECRET and the user anything. Compared as
 * SHA-256 digests, so the comparison takes the same time whatever the length.
 */
export function verifyPostmarkAuth(authorization: string | undefined, secret: string | undefined): Verdict {
  if (secret === undefined) return refuse("INBOUND_EMAIL_SECRET is not set");
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? "");
  if (match === null) return refuse("no basic auth");
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return refuse("malformed basic auth");
  const sha = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return digestsEqual(sha(secret), sha(decoded.slice(colon + 1))) ? OK : refuse("wrong password");
}

/**
 * Mailgun: `signature` is the hex HMAC-SHA256 of `timestamp` followed by
 * `token`, keyed with the webhook signing key; the timestamp is within 5
 * minutes of now. (Whether the token was seen before is the caller's check.)
 */
export function verifyMailgunSignature(
  fields: { timestamp?: string | undefined; token?: string | undefined; signature?: string | undefined },
  signingKey: string | undefined,
  nowMs: number,
): Verdict {
  if (signingKey === undefined) return refuse("MAILGUN_SIGNING_KEY is not set");
  const { timestamp, token, signature } = fields;
  if (timestamp === undefined || token === undefined || signature === undefined) {
    return refuse("timestamp, token or signature missing");
  }
  if (!/^\d{1,12}$/.test(timestamp) || !withinSignatureWindow(Number(timestamp) * 1000, nowMs)) {
    return refuse("timestamp outside the 5-minute window");
  }
  const given = hexDigest(signature);
  if (given === undefined) return refuse("signature is not a hex SHA-256 digest");
  return digestsEqual(hmacSha256(signingKey, timestamp, token), given) ? OK : refuse("wrong signature");
}

/** The raw route's headers. */
export const RAW_TIMESTAMP_HEADER = "X-CRM-Timestamp";
export const RAW_SIGNATURE_HEADER = "X-CRM-Signature";

/**
 * The raw route: `X-CRM-Signature: sha256=<hex HMAC-SHA256 of
 * "<timestamp>.<raw body>">` keyed with INBOUND_EMAIL_SECRET, the
 * `X-CRM-Timestamp` (unix seconds) within 5 minutes of now.
 */
export function verifyRawEmailSignature(
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: Buffer,
  secret: string | undefined,
  nowMs: number,
): Verdict {
  if (secret === undefined) return refuse("INBOUND_EMAIL_SECRET is not set");
  const { timestamp, signature } = headers;
  if (timestamp === undefined || signature === undefined) return refuse("X-CRM-Timestamp or X-CRM-Signature missing");
  if (!/^\d{1,12}$/.test(timestamp.trim()) || !withinSignatureWindow(Number(timestamp) * 1000, nowMs)) {
    return refuse("X-CRM-Timestamp outside the 5-minute window");
  }
  const given = /^sha256=(.*)$/.exec(signature.trim())?.[1];
  const digest = given === undefined ? undefined : hexDigest(given);
  if (digest === undefined) return refuse("X-CRM-Signature is not sha256=<hex>");
  return digestsEqual(hmacSha256(secret, `${timestamp.trim()}.`, body), digest) ? OK : refuse("wrong signature");
}
