import type { Store } from "../store/open-store.js";
import { ipLimitKey } from "./ip-limit-key.js";

/** How far back the per-sender limits look. */
export const SENDER_WINDOW_MS = 60 * 60_000;

export type SenderLimitOptions = {
  /** Submissions one IP address may make per hour; 0 is no limit. */
  perIpPerHour: number;
  /** Submissions for one email address per hour; 0 is no limit. */
  perEmailPerHour: number;
};
export type Sender = { ip: string | undefined; email: string };
export type SenderLimitCheck = { ok: true } | { ok: false; limitedBy: "ip" | "email"; retryAfterSeconds: number };
export type SenderLimits = {
  /** Counts the submission against its sender when it is within the limits; one over them counts for nothing. */
  take(sender: Sender): SenderLimitCheck;
};

type Kind = "ip" | "email";

/**
 * Hourly limits per IP (IPv6 by its /64) and per email over a sliding window, kept in the
 * SQLite state file so they hold across restarts and across processes that
 * share DATA_DIR. Only submissions let through are counted, so a sender that
 * waits for Retry-After is let in again.
 */
export function createSenderLimits(
  db: Store,
  { perIpPerHour, perEmailPerHour }: SenderLimitOptions,
  now: () => number = Date.now,
): SenderLimits {
  const prune = db.prepare("DELETE FROM sender_hits WHERE at_ms <= ?");
  const count = db.prepare<[Kind, string, number], { n: number }>(
    "SELECT count(*) AS n FROM sender_hits WHERE kind = ? AND sender = ? AND at_ms > ?",
  );
  // The hit whose leaving the window frees a place: the oldest, unless the limit was lowered since.
  const nthOldest = db.prepare<[Kind, string, number, number], { at_ms: number }>(
    "SELECT at_ms FROM sender_hits WHERE kind = ? AND sender = ? AND at_ms > ? ORDER BY at_ms LIMIT 1 OFFSET ?",
  );
  const record = db.prepare("INSERT INTO sender_hits (kind, sender, at_ms) VALUES (?, ?, ?)");

  const take = db.transaction((sender: Sender): SenderLimitCheck => {
    const at = now();
    const since = at - SENDER_WINDOW_MS;
    prune.run(since);
    const checks: Array<[Kind, string, number]> = [];
    if (perIpPerHour > 0 && sender.ip) checks.push(["ip", ipLimitKey(sender.ip), perIpPerHour]);
    if (perEmailPerHour > 0) checks.push(["email", sender.email, perEmailPerHour]);
    for (const [kind, value, limit] of checks) {
      const { n } = count.get(kind, value, since)!;
      if (n < limit) continue;
      const freedAtMs = nthOldest.get(kind, value, since, n - limit)!.at_ms + SENDER_WINDOW_MS;
      return { ok: false, limitedBy: kind, retryAfterSeconds: Math.max(1, Math.ceil((freedAtMs - at) / 1000)) };
    }
    for (const [kind, value] of checks) record.run(kind, value, at);
    return { ok: true };
  });

  // IMMEDIATE: two processes checking the same sender at once must not both get its last place.
  return { take: (sender) => take.immediate(sender) };
}
