import { SIGNATURE_TOLERANCE_SECONDS } from "../signatures/verify-form-signature.js";

/** Whether a signed timestamp is within 5 minutes of now, either way: older is a replay, newer a skewed or forged clock. */
export function withinSignatureWindow(timestampMs: number, nowMs: number): boolean {
  return Math.abs(nowMs - timestampMs) <= SIGNATURE_TOLERANCE_SECONDS * 1000;
}
