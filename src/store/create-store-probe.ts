import type { Store } from "./open-store.js";

/** A probe answer is reused this long, so a flood of /healthz calls costs one write a second. */
export const STORE_PROBE_CACHE_MS = 1_000;
/** About one page: the probe needs the file to grow, as a stored lead does. */
const PROBE_BYTES = 4_096;

export type StoreHealth = { ok: true } | { ok: false; reason: string };

/**
 * Whether the state file can take a write right now, the way accepting a
 * lead needs it: a row about a page long is inserted and deleted in one
 * committed transaction, so a full disk, a read-only file or a lock held
 * past the busy timeout show up here rather than as a 500 on /lead.
 */
export function createStoreProbe(db: Store, now: () => number = Date.now): () => StoreHealth {
  const insert = db.prepare("INSERT INTO health_probe (at_ms, filler) VALUES (?, zeroblob(?))");
  const remove = db.prepare("DELETE FROM health_probe");
  const probe = db.transaction((at: number) => {
    remove.run();
    insert.run(at, PROBE_BYTES);
    remove.run();
  });
  let last: { atMs: number; health: StoreHealth } | undefined;
  return () => {
    const at = now();
    if (last !== undefined && at - last.atMs < STORE_PROBE_CACHE_MS && at >= last.atMs) return last.health;
    let health: StoreHealth;
    try {
      probe.immediate(at);
      health = { ok: true };
    } catch (error) {
      health = { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
    last = { atMs: at, health };
    return health;
  };
}
