import { randomUUID } from "node:crypto";
import type { Store } from "../store/open-store.js";
import { isProcessAlive } from "../util/is-process-alive.js";
import { ImportFileError } from "./import-file-error.js";

/** A run that stops heartbeating (kill -9, a crash) stops holding its lock after this. */
export const IMPORT_LOCK_MS = 30_000;
const HEARTBEAT_MS = 10_000;

export type ImportLock = { release(): void };

/**
 * One run per journal (a file into a Contacts database) at a time, across
 * processes: a row in the state file with the owner's pid and an expiry a
 * heartbeat keeps extending. A second run stops with one clear line; a run
 * that died stops holding it once its expiry passes.
 */
export function takeImportLock(db: Store, journalKey: string, file: string, now: () => number = Date.now): ImportLock {
  const owner = randomUUID();
  const take = db.prepare<[{ key: string; pid: number; owner: string; now: number; until: number }]>(
    `INSERT INTO import_locks (journal_key, pid, owner, expires_at_ms) VALUES (@key, @pid, @owner, @until)
     ON CONFLICT (journal_key) DO UPDATE SET pid = @pid, owner = @owner, expires_at_ms = @until
     WHERE expires_at_ms <= @now`,
  );
  const holder = db.prepare<[string], { pid: number; owner: string }>(
    "SELECT pid, owner FROM import_locks WHERE journal_key = ?",
  );
  const takeOver = db.prepare<[{ key: string; pid: number; owner: string; was: string; until: number }]>(
    "UPDATE import_locks SET pid = @pid, owner = @owner, expires_at_ms = @until WHERE journal_key = @key AND owner = @was",
  );
  const extend = db.prepare<[number, string, string]>(
    "UPDATE import_locks SET expires_at_ms = ? WHERE journal_key = ? AND owner = ?",
  );
  const remove = db.prepare<[string, string]>("DELETE FROM import_locks WHERE journal_key = ? AND owner = ?");

  const at = now();
  const taken = () => {
    if (take.run({ key: journalKey, pid: process.pid, owner, now: at, until: at + IMPORT_LOCK_MS }).changes === 1)
      return true;
    // A run killed with -9 on this machine left its row: its pid is gone, so the lock is free at once.
    const held = holder.get(journalKey);
    return (
      held !== undefined &&
      !isProcessAlive(held.pid) &&
      takeOver.run({ key: journalKey, pid: process.pid, owner, was: held.owner, until: at + IMPORT_LOCK_MS })
        .changes === 1
    );
  };
  if (!db.transaction(taken).immediate()) {
    const pid = holder.get(journalKey)?.pid;
    throw new ImportFileError(
      "import_running",
      `another run (pid ${pid ?? "unknown"}) is importing ${file} into this Contacts database; let it finish, then run again if needed`,
    );
  }
  const heartbeat = setInterval(() => {
    try {
      extend.run(now() + IMPORT_LOCK_MS, journalKey, owner);
    } catch {
      // A locked state file: the next beat tries again, well within the expiry.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    release() {
      clearInterval(heartbeat);
      remove.run(journalKey, owner);
    },
  };
}
