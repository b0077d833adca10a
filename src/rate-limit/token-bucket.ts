import type { Store } from "../store/open-store.js";
import { sleep } from "../util/sleep.js";

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
  /**
   * Tokens that may be spent back to back; the default spends the budget evenly.
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
 * (Slack's pace. Notion's budget is a window: see request-window.ts.)
 */
export function createTokenBucket({
  db,
  name,
  ratePerSecond,
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
  const msPerToken = 1000 / ratePerSecond;

  /** Takes a token and returns its serial, or returns how many ms until it is worth trying again. */
  const tryTake = db.transaction((): Attempt => {
    const at = now();
    const row = read.get(name);
    // A clock that stepped backwards must not mint tokens or stall the bucket.
    const elapsed = row === undefined ? Infinity : Math.max(0, at - row.updated_at_ms);
    const tokens = Math.min(capacity, (row?.tokens ?? capacity) + elapsed / msPerToken);
    const grants = row?.grants ?? 0;
    const untilTokenMs = Math.max(0, Math.ceil((1 - tokens) * msPerToken));
    if (tokens >= 1) {
      write.run(name, tokens - 1, at, grants + 1);
      return { waitMs: 0, serial: grants + 1 };
    }
    // A refusal leaves the row as it was (the refill is computed from it), so it costs no disk write,
    // unless the clock stepped back: then the row takes the new time, or the bucket would stall until
    // the clock caught up.
    if (row !== undefined && at < row.updated_at_ms) write.run(name, tokens, at, grants);
    return { waitMs: Math.max(untilTokenMs, 1), serial: 0 };
  });

  // Only the head of this object's line polls the shared row; the others wait their turn.
  let line: Promise<unknown> = Promise.resolve();

  async function takeInTurn(signal?: AbortSignal): Promise<number> {
    for (;;) {
      signal?.throwIfAborted();
      const { waitMs, serial } = tryTake.immediate();
      if (waitMs === 0) return serial;
      await sleep(waitMs, signal);
    }
  }

  return {
    take(signal) {
      const turn = line.then(() => takeInTurn(signal));
      line = turn.catch(() => undefined);
      return turn;
    },
  };
}
