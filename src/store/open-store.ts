import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { MIGRATIONS, type Migration } from "./migrations.js";

export type Store = Database.Database;

export const STATE_FILE_NAME = "crm.sqlite";
/** How long a writer waits for another process's lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating when needed) the one SQLite state file in `dataDir` that the
 * server and every script share, and brings its schema up to date.
 */
export function openStore(dataDir: string, migrations: readonly Migration[] = MIGRATIONS): Store {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, STATE_FILE_NAME));
  // WAL lets the digest read while the server writes; FULL sync because an
  // accepted lead must survive a power cut, not only a crash.
  db.pragma("journal_mode = WAL");
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  migrate(db, migrations);
  return db;
}

/** Applies pending migrations in one IMMEDIATE transaction, so two processes starting together apply each once. */
export function migrate(db: Store, migrations: readonly Migration[]): number {
  const apply = db.transaction(() => {
    const current = db.pragma("user_version", { simple: true }) as number;
    const latest = Math.max(0, ...migrations.map((migration) => migration.version));
    if (current > latest) {
      throw new Error(
        `the state file is at schema version ${current}, newer than this program knows (${latest}); run the newer version or restore a backup`,
      );
    }
    const pending = migrations.filter((migration) => migration.version > current).sort((a, b) => a.version - b.version);
    for (const migration of pending) {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
    return pending.length;
  });
  return apply.immediate();
}
