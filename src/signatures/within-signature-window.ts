/** Standard Webhooks and the services that sign a timestamp: how far it may be from now, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/** Whether a signed timestamp is within 5 minutes of now, either way: older is a replay, newer a skewed or forged clock. */
export function withinSignatureWindow(timestampMs: number, nowMs: number): boolean {
  return Math.abs(nowMs - timestampMs) <= SIGNATURE_TOLERANCE_SECONDS * 1000;
}
