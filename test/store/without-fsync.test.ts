import { afterEach, beforeEach, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/open-store.js";
import { withoutFsync } from "../../src/store/without-fsync.js";
import { makeTempDir } from "../support/temp-dir.js";

let dir: ReturnType<typeof makeTempDir>;
let db: Store;
beforeEach(() => {
  dir = makeTempDir();
  db = openStore(dir.path);
  db.exec("CREATE TABLE t (a INTEGER)");
});
afterEach(() => {
  db.close();
  dir.remove();
});

const sync = () => db.pragma("synchronous", { simple: true });

it("commits with NORMAL sync and puts the state file's FULL back, also when the write throws", () => {
  expect(sync()).toBe(2);
  const seen = withoutFsync(db, () => {
    db.prepare("INSERT INTO t VALUES (1)").run();
    return sync();
  });
  expect(seen).toBe(1);
  expect(sync()).toBe(2);
  expect(() =>
    withoutFsync(db, () => {
      throw new Error("refused");
    }),
  ).toThrow("refused");
  expect(sync()).toBe(2);
  // Another connection (another process) sees the row at once.
  const other = openStore(dir.path);
  expect(other.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 1 });
  other.close();
});

it("inside a transaction leaves the setting alone: the outer commit decides", () => {
  const inner = db.transaction(() =>
    withoutFsync(db, () => {
      db.prepare("INSERT INTO t VALUES (2)").run();
      return sync();
    }),
  );
  expect(inner()).toBe(2);
  expect(db.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 1 });
});

it("keeps a connection already at NORMAL (the import's) as it is", () => {
  db.pragma("synchronous = NORMAL");
  withoutFsync(db, () => db.prepare("INSERT INTO t VALUES (3)").run());
  expect(sync()).toBe(1);
});
