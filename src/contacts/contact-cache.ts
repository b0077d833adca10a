import type { Store } from "../store/open-store.js";
import { withoutFsync } from "../store/without-fsync.js";

/** The fields a later write may fill when they are empty (see contact-properties). */
export type ContactField = "name" | "company" | "notes" | "source";
export const CONTACT_FIELDS: readonly ContactField[] = ["name", "company", "notes", "source"];
export type CachedContact = {
  pageId: string;
  filled: ReadonlySet<ContactField>;
  /** When this process or another last wrote or read the contact in Notion. */
  updatedAtMs: number;
};

/**
 * email -> Contacts page id, with the fields last seen filled on that page,
 * shared by every process on DATA_DIR (the server and the import). A repeat
 * write whose fields are all known to be filled costs one Notion call (the
 * update); one that might fill a field reads the page first, because a
 * person may have filled it in Notion since.
 */
export function createContactCache(db: Store, now: () => number = Date.now) {
  const read = db.prepare<[string], { page_id: string; filled_fields: string; updated_at_ms: number }>(
    "SELECT page_id, filled_fields, updated_at_ms FROM contacts WHERE email = ?",
  );
  const write = db.prepare(
    `INSERT INTO contacts (email, page_id, filled_fields, updated_at_ms) VALUES (?, ?, ?, ?)
     ON CONFLICT (email) DO UPDATE SET page_id = excluded.page_id, filled_fields = excluded.filled_fields, updated_at_ms = excluded.updated_at_ms`,
  );
  const remove = db.prepare("DELETE FROM contacts WHERE email = ?");
  return {
    get(email: string): CachedContact | undefined {
      const row = read.get(email);
      if (row === undefined) return undefined;
      return {
        pageId: row.page_id,
        filled: new Set(row.filled_fields.split(",").filter(Boolean) as ContactField[]),
        updatedAtMs: row.updated_at_ms,
      };
    },
    // A cache: seen at once by every process, and a power cut that loses an entry costs one query by email.
    set(email: string, pageId: string, filled: Iterable<ContactField>): void {
      withoutFsync(db, () => write.run(email, pageId, [...new Set(filled)].sort().join(","), now()));
    },
    forget(email: string): void {
      remove.run(email);
    },
  };
}

export type ContactCache = ReturnType<typeof createContactCache>;
