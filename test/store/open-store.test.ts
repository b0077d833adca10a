import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MIGRATIONS, type Migration } from "../../src/store/migrations.js";
import { migrate, openStore, STATE_FILE_NAME } from "../../src/store/open-store.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("openStore", () => {
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.remove());

  it("creates the data directory and one state file in WAL mode with a busy timeout", () => {
    const dataDir = join(dir.path, "nested", "data");
    const db = openStore(dataDir);
    expect(db.name).toBe(join(dataDir, STATE_FILE_NAME));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
    expect(db.pragma("user_version", { simple: true })).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    db.close();
  });

  it("applies each migration once, also when opened again or by a second connection", () => {
    const first = openStore(dir.path);
    const second = openStore(dir.path);
    first.close();
    const third = openStore(dir.path);
    const tables = third.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'rate_bucket'").all();
    expect(tables).toHaveLength(1);
    second.close();
    third.close();
  });

  it("applies only the migrations newer than the file's version, in order", () => {
    const db = new Database(join(dir.path, "m.sqlite"));
    const steps: Migration[] = [
      { version: 2, name: "second", sql: "ALTER TABLE t ADD COLUMN b TEXT;" },
      { version: 1, name: "first", sql: "CREATE TABLE t (a TEXT);" },
    ];
    expect(migrate(db, steps.slice(1))).toBe(1);
    expect(migrate(db, steps)).toBe(1);
    expect(migrate(db, steps)).toBe(0);
    expect(db.prepare("SELECT name FROM pragma_table_info('t')").all()).toEqual([{ name: "a" }, { name: "b" }]);
    db.close();
  });

  it("rolls a failing migration back whole", () => {
    const db = new Database(join(dir.path, "m.sqlite"));
    const broken: Migration[] = [
      { version: 1, name: "ok", sql: "CREATE TABLE t (a TEXT);" },
      { version: 2, name: "broken", sql: "CREATE TABLE u (a TEXT); THIS IS NOT SQL;" },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.pragma("user_version", { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({ n: 0 });
    db.close();
  });

  it("refuses a state file written by a newer version", () => {
    const db = new Database(join(dir.path, STATE_FILE_NAME));
    db.pragma("user_version = 999");
    db.close();
    expect(() => openStore(dir.path)).toThrow(/schema version 999, newer than this program knows/);
  });
});
