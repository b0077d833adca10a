import type { Store } from "./open-store.js";

/**
 * Runs `write` with SQLite's `synchronous = NORMAL` instead of the state
 * file's FULL: in WAL mode its commits are safe from a crash or kill -9 and
 * seen at once by every other process, but do not wait for the disk (an
 * fsync, 4 ms on a small VPS and far more under load), so only a power cut
 * may lose them; the next FULL commit of any process writes them to disk too.
 *
 * Only for state whose loss in a power cut is harmless: the Notion request
 * window (a forgotten request costs at worst one 429, which pauses and
 * retries). Never for what was promised to a sender.
 */
export function withoutFsync<T>(db: Store, write: () => T): T {
  // Inside a transaction the commit is the outer one's (and SQLite refuses to change the setting there).
  if (db.inTransaction) return write();
  const before = db.pragma("synchronous", { simple: true }) as number;
  // 0 OFF, 1 NORMAL: already no fsync per commit.
  if (before <= 1) return write();
  db.pragma("synchronous = NORMAL");
  try {
    return write();
  } finally {
    db.pragma(`synchronous = ${before}`);
  }
}
