import Database from "better-sqlite3";
import type { Store } from "./open-store.js";

/** What a scratch database keeps in memory before its pages go to its temporary file. */
export const SCRATCH_CACHE_KIB = 2 * 1024;

/**
 * An anonymous SQLite database in a temporary file that SQLite deletes when
 * it is closed: room for work too big to hold in memory (the rows of a large
 * import), never shared and never kept. Nothing in it has to survive a crash,
 * so it has no journal and no fsync; its memory is the page cache, whatever
 * it holds.
 */
export function openScratchStore(): Store {
  // An empty file name: SQLite's private temporary database (https://www.sqlite.org/inmemorydb.html).
  const db = new Database("");
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma(`cache_size = -${SCRATCH_CACHE_KIB}`);
  return db;
}
