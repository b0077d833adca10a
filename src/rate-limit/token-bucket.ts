import type { Store } from "../store/open-store.js";
import { sleep } from "../util/sleep.js";

export type TokenBucket = {
  /** Resolves when a token has been taken; tokens are granted in call order within a process. */
  take(signal?: AbortSignal): Promise<void>;
};

export type TokenBucketOptions = {
  db: Store;
  /** Row in `rate_bucket`: processes sharing the file and the name share the budget. */
  name: string;
  ratePerSecond: number;
  /**
   * Tokens that may be spent back to back. Notion tolerates short bursts but
   * promises none, so the default spends the budget evenly.
   * @default 1
   */
  capacity?: number;
  now?: () => number;
};

/**
 * A token bucket whose state lives in SQLite, so every process that opens the
 * same state file draws from one budget. Each grant is one IMMEDIATE
 * transaction (microseconds); a refused taker sleeps exactly until the next
 * token is due, then tries again.
 */
export function createTokenBucket({
  db,
  name,
  ratePerSecond,
  capacity = 1,
  now = Date.now,
}: TokenBucketOptions): TokenBucket {
  const read = db.prepare<[string], { tokens: number; updated_at_ms: number }>(
    "SELECT tokens, updated_at_ms FROM rate_bucket WHERE name = ?",
  );
  const write = db.prepare<[string, number, number]>(
    `INSERT INTO rate_bucket (name, tokens, updated_at_ms) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET tokens = excluded.tokens, updated_at_ms = excluded.updated_at_ms`,
  );
  const msPerToken = 1000 / ratePerSecond;

  /** Takes a token and returns 0, or returns how many ms until one is due. */
  const tryTake = db.transaction((): number => {
    const at = now();
    const row = read.get(name);
    // A clock that stepped backwards must not mint tokens or stall the bucket.
    const elapsed = row === undefined ? Infinity : Math.max(0, at - row.updated_at_ms);
    const tokens = Math.min(capacity, (row?.tokens ?? capacity) + elapsed / msPerToken);
    if (tokens >= 1) {
      write.run(name, tokens - 1, at);
      return 0;
    }
    write.run(name, tokens, at);
    return Math.ceil((1 - tokens) * msPerToken);
  });

  // Only the head of this process's line polls the shared row; the others wait their turn.
  let line: Promise<void> = Promise.resolve();

  async function takeInTurn(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const waitMs = tryTake.immediate();
      if (waitMs === 0) return;
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
