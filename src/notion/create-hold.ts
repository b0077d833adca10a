import { DEFAULT_NOTION_HOLD_RETRY_SECONDS } from "../config/settings.js";
import type { Store } from "../store/open-store.js";

/** While Notion refuses creates, one held item is tried this often: NOTION_HOLD_RETRY_SECONDS's default, in ms. */
export const DEFAULT_HOLD_RETRY_MS = DEFAULT_NOTION_HOLD_RETRY_SECONDS * 1000;

/**
 * Why Notion holds the leads: `creates_refused` (403 restricted_resource on
 * a create: only creates wait), `connection_blocked` (429
 * public_api_request_blocked), `unauthorized` (401: the token was revoked
 * after start), `unshared` (404 for a configured database: it was unshared
 * after start). The last three stop every lead.
 */
export type HoldCause = "creates_refused" | "connection_blocked" | "unauthorized" | "unshared";

export type HoldState = {
  /** The first refusal of this hold. */
  sinceMs: number;
  /** When one held item is tried next. */
  nextProbeAtMs: number;
  lastReason: string;
  cause: HoldCause;
};

type Row = { since_ms: number; next_probe_at_ms: number; last_reason: string; cause: HoldCause };

export type CreateHold = ReturnType<typeof createCreateHold>;

/**
 * Notion refusing creates (or this integration altogether), as one persisted fact: since when, and when a
 * single probe may try a create again. Kept in SQLite so a restart neither
 * forgets the hold nor probes early, and every process on DATA_DIR sees it.
 */
export function createCreateHold(db: Store, { retryMs = DEFAULT_HOLD_RETRY_MS, now = Date.now } = {}) {
  const read = db.prepare<[], Row>("SELECT * FROM notion_holds WHERE kind = 'creates'");
  const upsert = db.prepare(
    `INSERT INTO notion_holds (kind, since_ms, next_probe_at_ms, last_reason, cause) VALUES ('creates', @now, @next, @reason, @cause)
     ON CONFLICT (kind) DO UPDATE SET next_probe_at_ms = max(next_probe_at_ms, @next), last_reason = @reason, cause = @cause`,
  );
  const claim = db.prepare(
    "UPDATE notion_holds SET next_probe_at_ms = ? WHERE kind = 'creates' AND next_probe_at_ms <= ?",
  );
  const remove = db.prepare("DELETE FROM notion_holds WHERE kind = 'creates'");

  const state = (): HoldState | undefined => {
    const row = read.get();
    return row === undefined
      ? undefined
      : { cause: row.cause, sinceMs: row.since_ms, nextProbeAtMs: row.next_probe_at_ms, lastReason: row.last_reason };
  };

  return {
    retryMs,
    state,
    /** Notion refused a create (or the token, or the database): the hold starts (or goes on), and the next probe is one interval away. */
    refused(reason: string, cause: HoldCause = "creates_refused"): HoldState {
      upsert.run({ now: now(), next: now() + retryMs, reason, cause });
      return state()!;
    },
    /** Takes the probe when it is due: true for exactly one caller per interval, across processes and restarts. */
    claimProbe(): boolean {
      return claim.run(now() + retryMs, now()).changes === 1;
    },
    /** Notion accepted a create: the hold is over. Returns whether there was one. */
    lifted(): boolean {
      return remove.run().changes === 1;
    },
  };
}
