import { createHash } from "node:crypto";
import type { Store } from "../store/open-store.js";

/**
 * The journal belongs to the file (its content hash) and the Contacts
 * database: the same file into another database is a new import.
 */
export function importJournalKey(fileHash: string, contactsDatabaseId: string): string {
  return createHash("sha256")
    .update(`${fileHash}\n${contactsDatabaseId.replaceAll("-", "").toLowerCase()}`)
    .digest("hex");
}

export type JournalOutcome = "created" | "updated" | "rejected";
export type JournalEntry = {
  line: number;
  email: string;
  /** `creating` / `updating`: sent to Notion, answer not recorded (the import died or stopped meanwhile). */
  state: "creating" | "updating" | "done";
  outcome?: JournalOutcome;
  pageId?: string;
  reason?: string;
};

/**
 * What earlier runs of the same file did, one row per contact (by its first
 * line): written before a write is sent and after it is answered, so a rerun
 * skips what is done and settles what was in flight.
 */
export function createImportJournal(db: Store, journalKey: string, now: () => number = Date.now) {
  const fileHash = journalKey;
  const one = db.prepare<
    [string, number],
    {
      line: number;
      email: string;
      state: JournalEntry["state"];
      outcome: JournalOutcome | null;
      page_id: string | null;
      reason: string | null;
    }
  >("SELECT line, email, state, outcome, page_id, reason FROM import_rows WHERE file_hash = ? AND line = ?");
  const done = db.prepare<[string], { n: number }>(
    "SELECT count(*) AS n FROM import_rows WHERE file_hash = ? AND state = 'done'",
  );
  const upsert = db.prepare<[string, number, string, string, string | null, string | null, string | null, number]>(
    `INSERT INTO import_rows (file_hash, line, email, state, outcome, page_id, reason, updated_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (file_hash, line) DO UPDATE SET email = excluded.email, state = excluded.state,
       outcome = excluded.outcome, page_id = excluded.page_id, reason = excluded.reason, updated_at_ms = excluded.updated_at_ms`,
  );
  const remove = db.prepare<[string, number]>("DELETE FROM import_rows WHERE file_hash = ? AND line = ?");
  const removeAll = db.prepare<[string]>("DELETE FROM import_rows WHERE file_hash = ?");
  return {
    /** What earlier runs did with the contact at `line`, if anything (one lookup: a large file's journal stays on disk). */
    entry(line: number): JournalEntry | undefined {
      const row = one.get(fileHash, line);
      if (row === undefined) return undefined;
      return {
        line: row.line,
        email: row.email,
        state: row.state,
        ...(row.outcome !== null && { outcome: row.outcome }),
        ...(row.page_id !== null && { pageId: row.page_id }),
        ...(row.reason !== null && { reason: row.reason }),
      };
    },
    /** Contacts earlier runs finished (written, or refused by Notion). */
    doneCount(): number {
      return done.get(fileHash)!.n;
    },
    begin(line: number, email: string, state: "creating" | "updating"): void {
      upsert.run(fileHash, line, email, state, null, null, null, now());
    },
    finish(line: number, email: string, outcome: JournalOutcome, pageId?: string, reason?: string): void {
      upsert.run(fileHash, line, email, "done", outcome, pageId ?? null, reason ?? null, now());
    },
    /** `--force`: forgets what earlier runs did; this run starts over (Notion's contacts are still looked up). */
    clear(): number {
      return removeAll.run(fileHash).changes;
    },
    /** Notion definitely did not apply the write: the next run starts this contact afresh. */
    forget(line: number): void {
      remove.run(fileHash, line);
    },
  };
}

export type ImportJournal = ReturnType<typeof createImportJournal>;
