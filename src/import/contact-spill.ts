import { openScratchStore } from "../store/open-scratch-store.js";
import type { ImportContact, RejectedRow } from "./read-contact-file.js";

/** What the import will do with a contact, marked while it plans, read back while it writes. */
export type SpilledWork = "create" | "settle-create" | "update";

/** Rows read back at once: a few hundred contacts in memory, not the file's. */
const BATCH_ROWS = 500;
/** Writes per transaction: the scratch file needs no durability, only fewer commits. */
const WRITES_PER_COMMIT = 5_000;

/**
 * The file's contacts (one per email, merged) and its rejected rows, kept in
 * a scratch SQLite database instead of in memory: a 50 MB export costs a
 * page cache, not its size several times over. Read back in line order, a
 * batch at a time. `close()` deletes it.
 */
export function openContactSpill() {
  const db = openScratchStore();
  db.exec(`
    CREATE TABLE contacts (
      line INTEGER PRIMARY KEY,
      email TEXT NOT NULL UNIQUE,
      contact TEXT NOT NULL,
      row_values TEXT NOT NULL,
      work TEXT
    );
    CREATE TABLE rejects (line INTEGER PRIMARY KEY, reason TEXT NOT NULL, row_values TEXT NOT NULL);
  `);
  const byEmail = db.prepare<[string], { contact: string }>("SELECT contact FROM contacts WHERE email = ?");
  const insert = db.prepare<[number, string, string, string]>(
    "INSERT INTO contacts (line, email, contact, row_values) VALUES (?, ?, ?, ?)",
  );
  const update = db.prepare<[string, number]>("UPDATE contacts SET contact = ? WHERE line = ?");
  const mark = db.prepare<[string, number]>("UPDATE contacts SET work = ? WHERE line = ?");
  const valuesAt = db.prepare<[number], { row_values: string }>("SELECT row_values FROM contacts WHERE line = ?");
  const reject = db.prepare<[number, string, string]>(
    "INSERT OR REPLACE INTO rejects (line, reason, row_values) VALUES (?, ?, ?)",
  );
  const contactsAfter = db.prepare<[number, number], { line: number; contact: string }>(
    "SELECT line, contact FROM contacts WHERE line > ? ORDER BY line LIMIT ?",
  );
  const workAfter = db.prepare<[number, number], { line: number; contact: string; work: SpilledWork }>(
    "SELECT line, contact, work FROM contacts WHERE work IS NOT NULL AND line > ? ORDER BY line LIMIT ?",
  );
  const rejectsAfter = db.prepare<[number, number], { line: number; reason: string; row_values: string }>(
    "SELECT line, reason, row_values FROM rejects WHERE line > ? ORDER BY line LIMIT ?",
  );
  const count = (table: "contacts" | "rejects") =>
    (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

  let writes = 0;
  const write = <T>(run: () => T): T => {
    if (!db.inTransaction) db.exec("BEGIN");
    const result = run();
    if (++writes % WRITES_PER_COMMIT === 0) db.exec("COMMIT");
    return result;
  };
  /** Keyset pages by line, so other statements may run between two batches. */
  function* inLineOrder<R extends { line: number }, T>(page: (after: number) => R[], map: (row: R) => T): Generator<T> {
    for (let after = 0; ;) {
      const rows = page(after);
      for (const row of rows) yield map(row);
      if (rows.length < BATCH_ROWS) return;
      after = rows.at(-1)!.line;
    }
  }
  const parse = (json: string) => JSON.parse(json) as ImportContact;

  return {
    contactByEmail(email: string): ImportContact | undefined {
      const row = byEmail.get(email);
      return row === undefined ? undefined : parse(row.contact);
    },
    /** A new email: the contact, and its row as it was (for the rejects file if Notion refuses it). */
    addContact(contact: ImportContact, values: readonly string[]): void {
      write(() => insert.run(contact.line, contact.email, JSON.stringify(contact), JSON.stringify(values)));
    },
    /** The contact after a later row with its email was merged into it. */
    replaceContact(contact: ImportContact): void {
      write(() => update.run(JSON.stringify(contact), contact.line));
    },
    markWork(line: number, work: SpilledWork): void {
      write(() => mark.run(work, line));
    },
    valuesAt(line: number): string[] {
      const row = valuesAt.get(line);
      return row === undefined ? [] : (JSON.parse(row.row_values) as string[]);
    },
    addReject(row: RejectedRow): void {
      write(() => reject.run(row.line, row.reason, JSON.stringify(row.values)));
    },
    contactCount: () => count("contacts"),
    rejectCount: () => count("rejects"),
    /** Every contact, in the order of its first line. */
    contacts(): Generator<ImportContact> {
      return inLineOrder(
        (after) => contactsAfter.all(after, BATCH_ROWS),
        (row) => parse(row.contact),
      );
    },
    /** The contacts marked with work, in line order. */
    work(): Generator<{ kind: SpilledWork; contact: ImportContact }> {
      return inLineOrder(
        (after) => workAfter.all(after, BATCH_ROWS),
        (row) => ({ kind: row.work, contact: parse(row.contact) }),
      );
    },
    /** Every rejected row (the file's, and those Notion refused), in line order. */
    rejects(): Generator<RejectedRow> {
      return inLineOrder(
        (after) => rejectsAfter.all(after, BATCH_ROWS),
        (row) => ({ line: row.line, reason: row.reason, values: JSON.parse(row.row_values) as string[] }),
      );
    },
    close(): void {
      db.close();
    },
  };
}

export type ContactSpill = ReturnType<typeof openContactSpill>;
