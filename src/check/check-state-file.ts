import { join } from "node:path";
import { openStore, STATE_FILE_NAME, type Store } from "../store/open-store.js";
import type { CheckResult } from "./check-result.js";

const NAME = "State file";

/**
 * Opens the state file as the server would (creating it and applying
 * migrations) and proves it takes a write, which is rolled back. On success
 * the open store is returned for the caller to use and close.
 */
export function checkStateFile(dataDir: string): { result: CheckResult; db?: Store } {
  const path = join(dataDir, STATE_FILE_NAME);
  let db: Store | undefined;
  try {
    db = openStore(dataDir);
    db.exec("BEGIN IMMEDIATE");
    try {
      db.prepare("INSERT OR REPLACE INTO rate_bucket (name, tokens, updated_at_ms) VALUES ('check-probe', 0, 0)").run();
    } finally {
      db.exec("ROLLBACK");
    }
    return { result: { name: NAME, outcome: "pass", detail: `${path} is writable (DATA_DIR)` }, db };
  } catch (error) {
    db?.close();
    const reason = error instanceof Error ? error.message : String(error);
    return { result: { name: NAME, outcome: "fail", detail: `cannot write ${path} (DATA_DIR): ${reason}` } };
  }
}
