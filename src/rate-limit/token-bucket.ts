import { randomUUID } from "node:crypto";
import type { Store } from "../store/open-store.js";
import { sleep } from "../util/sleep.js";

/**
 * Who is asking. `live` is work a person is waiting for (a lead just posted,
 * a webhook); `bulk` is work nobody watches token by token (an import, a long
 * digest, a poll paging through many deals). Both draw on one budget, but a
 * bulk taker steps aside while any live taker, in any process, is waiting.
 */
export type BucketLane = "live" | "bulk";

/**
 * How long a waiting live taker's mark outlives the wait it expects: a live
 * taker refreshes its mark on every try, so this only matters when its
 * process died waiting, and then bulk work is held back at most this long.
 */
export const LIVE_MARK_GRACE_MS = 1_000;

export type TokenBucket = {
  /**
   * Resolves when a token has been taken, with the token's serial number in
   * the shared bucket (1, 2, 3... across every process: the order of grants).
   * Tokens are granted in call order within one bucket object.
   */
  take(signal?: AbortSignal): Promise<number>;
};

export type TokenBucketOptions = {
  db: Store;
  /** Row in `rate_bucket`: processes sharing the file and the name share the budget. */
  name: string;
  ratePerSecond: number;
  /** @default "live" */
  lane?: BucketLane;
  /**
   * Tokens that may be spent back to back. Notion tolerates short bursts but
   * promises none, so the default spends the budget evenly.
   * @default 1
   */
  capacity?: number;
  now?: () => number;
};

type Attempt = { waitMs: number; serial: number };

/**
 * A token bucket whose state lives in SQLite, so every process that opens the
 * same state file draws from one budget. Each grant is one IMMEDIATE
 * transaction (microseconds); a refused taker sleeps exactly until the next
 * token is due, then tries again.
 *
 * Priority without a second budget: a live taker that has to wait leaves a
 * fresh mark in `rate_live_waiters` in the same transaction that refused it,
 * and a bulk taker takes no token while such a mark is fresh. The total rate
 * is unchanged (one row, one budget); a live request waits at most for the
 * token already due plus the live requests ahead of it.
 */
export function createTokenBucket({
  db,
  name,
  ratePerSecond,
  lane = "live",
  capacity = 1,
  now = Date.now,
}: TokenBucketOptions): TokenBucket {
  const read = db.prepare<[string], { tokens: number; updated_at_ms: number; grants: number }>(
    "SELECT tokens, updated_at_ms, grants FROM rate_bucket WHERE name = ?",
  );
  const write = db.prepare<[string, number, number, number]>(
    `INSERT INTO rate_bucket (name, tokens, updated_at_ms, grants) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET tokens = excluded.tokens, updated_at_ms = excluded.updated_at_ms, grants = excluded.grants`,
  );
  const markWaiting = db.prepare<[string, string, number]>(
    `INSERT INTO rate_live_waiters (bucket, holder, until_ms) VALUES (?, ?, ?)
     ON CONFLICT (bucket, holder) DO UPDATE SET until_ms = excluded.until_ms`,
  );
  const clearMark = db.prepare<[string, string]>("DELETE FROM rate_live_waiters WHERE bucket = ? AND holder = ?");
  const liveWaiting = db.prepare<[string, number], { found: number }>(
    "SELECT 1 AS found FROM rate_live_waiters WHERE bucket = ? AND until_ms > ? LIMIT 1",
  );
  const msPerToken = 1000 / ratePerSecond;
  // One mark per bucket object: a process may hold several live buckets.
  const holder = `${process.pid}:${randomUUID()}`;
  // Takers of this object that have asked and not yet been granted (or given up).
  let waiting = 0;

  /** Takes a token and returns its serial, or returns how many ms until it is worth trying again. */
  const tryTake = db.transaction((): Attempt => {
    const at = now();
    const row = read.get(name);
    // A clock that stepped backwards must not mint tokens or stall the bucket.
    const elapsed = row === undefined ? Infinity : Math.max(0, at - row.updated_at_ms);
    const tokens = Math.min(capacity, (row?.tokens ?? capacity) + elapsed / msPerToken);
    const grants = row?.grants ?? 0;
    const untilTokenMs = Math.max(0, Math.ceil((1 - tokens) * msPerToken));
    const yieldToLive = lane === "bulk" && liveWaiting.get(name, at) !== undefined;
    if (tokens >= 1 && !yieldToLive) {
      write.run(name, tokens - 1, at, grants + 1);
      if (lane === "live") {
        // Others of ours still in line keep bulk work waiting; the last one lets it go.
        if (waiting > 1) markWaiting.run(name, holder, at + Math.ceil(msPerToken) + LIVE_MARK_GRACE_MS);
        else clearMark.run(name, holder);
      }
      return { waitMs: 0, serial: grants + 1 };
    }
    // A refusal leaves the row as it was (the refill is computed from it), so it costs no disk write,
    // unless the clock stepped back: then the row takes the new time, or the bucket would stall until
    // the clock caught up. A waiting live taker writes its mark.
    if (row !== undefined && at < row.updated_at_ms) write.run(name, tokens, at, grants);
    if (lane === "live") markWaiting.run(name, holder, at + untilTokenMs + LIVE_MARK_GRACE_MS);
    // A bulk taker that stepped aside for a token that is there looks again soon: the live taker is about to take it.
    return { waitMs: Math.max(untilTokenMs, yieldToLive ? Math.ceil(msPerToken / 4) : 1), serial: 0 };
  });

  // Only the head of this object's line polls the shared row; the others wait their turn.
  let line: Promise<unknown> = Promise.resolve();

  async function takeInTurn(signal?: AbortSignal): Promise<number> {
    let granted = false;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const { waitMs, serial } = tryTake.immediate();
        if (waitMs === 0) {
          granted = true;
          return serial;
        }
        await sleep(waitMs, signal);
      }
    } finally {
      waiting--;
      // A grant already settled the mark in its transaction; a taker that gave up must not leave one behind.
      if (!granted && lane === "live" && waiting === 0) clearMark.run(name, holder);
    }
  }

  return {
    take(signal) {
      waiting++;
      const turn = line.then(() => takeInTurn(signal));
      line = turn.catch(() => undefined);
      return turn;
    },
  };
}
