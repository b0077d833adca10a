import Database from "better-sqlite3";
import { statSync } from "node:fs";
import { join } from "node:path";
import { STATE_FILE_NAME } from "../../src/store/open-store.js";

/** The state file's size with everything checkpointed out of the WAL: what it grows by, for the disk test and bench. */
export function stateFileBytes(dataDir: string): number {
  const path = join(dataDir, STATE_FILE_NAME);
  const db = new Database(path);
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  return statSync(path).size;
}
