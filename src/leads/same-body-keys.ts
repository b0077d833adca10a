import { createHash } from "node:crypto";

/** A sender's retry of the same signed body within this window is the same submission. */
export const SAME_BODY_WINDOW_MS = 10 * 60_000;

export type SameBodyKeys = {
  /** The idempotency key this body is stored under now. */
  key: string;
  /** The key the same body had in the window before; a row stored under it counts while it is recent. */
  previousKey: string;
  windowMs: number;
};

/**
 * Idempotency keys for a /lead body signed with plain X-Form-Signature,
 * which carries no delivery id: the body's hash and a 10-minute window
 * number. Looking up this window's key and the previous one (checking its
 * age) makes "the same body within the last 10 minutes" exact.
 */
export function sameBodyKeys(body: Buffer, nowMs: number, windowMs: number = SAME_BODY_WINDOW_MS): SameBodyKeys {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 40);
  const window = Math.floor(nowMs / windowMs);
  return { key: `lead-body:${hash}:${window}`, previousKey: `lead-body:${hash}:${window - 1}`, windowMs };
}
