import { statSync } from "node:fs";
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
    const size = formatBytes(fileSize(path) + fileSize(`${path}-wal`));
    return {
      result: { name: NAME, outcome: "pass", detail: `${path} is writable (DATA_DIR); ${size} on disk` },
      db,
    };
  } catch (error) {
    db?.close();
    const reason = error instanceof Error ? error.message : String(error);
    return { result: { name: NAME, outcome: "fail", detail: `cannot write ${path} (DATA_DIR): ${reason}` } };
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** 512 B, 3.4 KB, 12.5 MB, 1.2 GB. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} ${units[0]}` : `${value.toFixed(1)} ${units[unit]}`;
}
