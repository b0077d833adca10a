import { digestsEqual, hexDigest, hmacSha256 } from "./hmac.js";
import { withinSignatureWindow } from "./within-signature-window.js";

export type SlackSignatureInput = {
  rawBody: Buffer;
  /** X-Slack-Request-Timestamp: Unix seconds. */
  timestamp: string | undefined;
  /** X-Slack-Signature: `v0=` and 64 hex digits. */
  signature: string | undefined;
  signingSecret: string;
  nowMs: number;
};

/**
 * Slack's request signing (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` keyed with the
 * signing secret, compared in constant time. Unlike Bolt, a timestamp more
 * than 5 minutes in the future is refused as well as one 5 minutes old.
 * Returns false rather than throwing, so the route has one 401 path.
 */
export function verifySlackSignature({
  rawBody,
  timestamp,
  signature,
  signingSecret,
  nowMs,
}: SlackSignatureInput): boolean {
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  if (!withinSignatureWindow(Number(timestamp) * 1000, nowMs)) return false;
  if (signature === undefined || !signature.startsWith("v0=")) return false;
  const given = hexDigest(signature.slice(3));
  if (given === undefined) return false;
  return digestsEqual(hmacSha256(signingSecret, `v0:${timestamp}:`, rawBody), given);
}
