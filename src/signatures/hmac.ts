import { createHmac, timingSafeEqual } from "node:crypto";

export function hmacSha256(key: string | Buffer, ...parts: Array<string | Buffer>): Buffer {
  const hmac = createHmac("sha256", key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** Constant-time comparison; lengths are checked first because timingSafeEqual throws on a mismatch. */
export function digestsEqual(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A hex digest as bytes, or undefined when the text is not exactly 64 hex digits. */
export function hexDigest(text: string): Buffer | undefined {
  return HEX_SHA256.test(text) ? Buffer.from(text, "hex") : undefined;
}

/** A base64 digest as bytes, or undefined when the text is not base64. */
export function base64Digest(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, "base64") : undefined;
}
