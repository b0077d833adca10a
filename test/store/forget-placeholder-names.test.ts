import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { migrate } from "../../src/store/open-store.js";
import { makeTempDir } from "../support/temp-dir.js";

let dir: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => dir.remove());

it("migration 10 forgets `name` as a filled field of every cached contact, and nothing else", () => {
  const db = new Database(join(dir.path, "m.sqlite"));
  migrate(
    db,
    MIGRATIONS.filter((migration) => migration.version < 10),
  );
  const insert = db.prepare("INSERT INTO contacts (email, page_id, filled_fields, updated_at_ms) VALUES (?, ?, ?, 1)");
  insert.run("a@x.co", "p1", "company,name,notes,source");
  insert.run("b@x.co", "p2", "name");
  insert.run("c@x.co", "p3", "name,source");
  insert.run("d@x.co", "p4", "company,notes");
  insert.run("e@x.co", "p5", "");

  expect(
    migrate(
      db,
      MIGRATIONS.filter((migration) => migration.version <= 10),
    ),
  ).toBe(1);

  expect(db.prepare("SELECT email, filled_fields FROM contacts ORDER BY email").all()).toEqual([
    { email: "a@x.co", filled_fields: "company,notes,source" },
    { email: "b@x.co", filled_fields: "" },
    { email: "c@x.co", filled_fields: "source" },
    { email: "d@x.co", filled_fields: "company,notes" },
    { email: "e@x.co", filled_fields: "" },
  ]);
  db.close();
});
