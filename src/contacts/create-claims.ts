import { randomUUID } from "node:crypto";
import type { Store } from "../store/open-store.js";
import { isProcessAlive } from "../util/is-process-alive.js";
import { sleep } from "../util/sleep.js";

/** Longer than one create takes, its settling after a lost answer included (about 10 s). */
export const CREATE_CLAIM_MS = 60_000;
const WAIT_STEP_MS = 100;

export type CreateClaims = ReturnType<typeof createCreateClaims>;

/**
 * Who is creating the contact of an email right now, across every process
 * on DATA_DIR (the server's lead worker and an import): one SQLite row per
 * email while its create is in flight. A second creator waits for the row to
 * go, then finds the contact the first one made instead of making another.
 * A holder that died leaves a row that expires, or is dropped at once when
 * its process is gone (kill -9).
 */
export function createCreateClaims(db: Store, now: () => number = Date.now) {
  const owner = `${process.pid}:${randomUUID()}`;
  const take = db.prepare<[{ email: string; owner: string; now: number; until: number }]>(
    `INSERT INTO contact_create_claims (email, owner, expires_at_ms) VALUES (@email, @owner, @until)
     ON CONFLICT (email) DO UPDATE SET owner = @owner, expires_at_ms = @until WHERE expires_at_ms <= @now`,
  );
  const release = db.prepare<[string, string]>("DELETE FROM contact_create_claims WHERE email = ? AND owner = ?");
  const holder = db.prepare<[string, number], { owner: string }>(
    "SELECT owner FROM contact_create_claims WHERE email = ? AND expires_at_ms > ?",
  );
  const dropDead = db.prepare<[string, string]>("DELETE FROM contact_create_claims WHERE email = ? AND owner = ?");
  /** Whether a live process holds the email's claim; a dead holder's row (kill -9) is dropped. */
  const heldByLive = (email: string): boolean => {
    const row = holder.get(email, now());
    if (row === undefined) return false;
    if (isProcessAlive(Number(row.owner.split(":")[0]))) return true;
    dropDead.run(email, row.owner);
    return false;
  };
  return {
    /** Claims the email's create: true when this process may create it now. */
    take: (email: string): boolean =>
      take.run({ email, owner, now: now(), until: now() + CREATE_CLAIM_MS }).changes === 1,
    release: (email: string): void => void release.run(email, owner),
    /** Waits while another process creates this email's contact (until it releases or its claim expires). */
    async waitWhileHeld(email: string, signal?: AbortSignal): Promise<void> {
      while (heldByLive(email)) await sleep(WAIT_STEP_MS, signal);
    },
  };
}
