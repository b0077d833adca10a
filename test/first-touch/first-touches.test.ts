import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { leadsArrivedSince, recordFirstTouch, recordLeadArrival } from "../../src/first-touch/first-touches.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("first touches (speed to lead)", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  beforeEach(() => {
    dir = makeTempDir();
    db = openStore(dir.path);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });
  const PAGE = "1a2b3c4d-0000-4000-8000-00000000abcd";

  it("records an arrival once and keeps the earliest touch, by page id or email", () => {
    recordLeadArrival(db, { pageId: PAGE, email: "Ada@Example.com", at: 1_000 });
    recordLeadArrival(db, { pageId: PAGE, email: "ada@example.com", at: 5_000 });
    expect(recordFirstTouch(db, { email: "ada@example.COM", at: 9_000, via: "email" })).toBe(true);
    // The id without dashes, in capitals, is the same page.
    expect(recordFirstTouch(db, { pageId: PAGE.replaceAll("-", "").toUpperCase(), at: 4_000, via: "slack" })).toBe(
      true,
    );
    expect(recordFirstTouch(db, { pageId: PAGE, at: 6_000, via: "email" })).toBe(false);
    expect(leadsArrivedSince(db, 0)).toEqual([
      {
        pageId: PAGE.replaceAll("-", ""),
        email: "ada@example.com",
        arrivedAtMs: 1_000,
        touchedAtMs: 4_000,
        via: "slack",
      },
    ]);
  });

  it("does not record a touch of a contact that never arrived as a new lead", () => {
    expect(recordFirstTouch(db, { email: "imported@example.com", at: 1, via: "email" })).toBe(false);
    expect(leadsArrivedSince(db, 0)).toEqual([]);
  });

  it("reads only the leads that arrived since the given instant, oldest first", () => {
    recordLeadArrival(db, { pageId: "b".repeat(32), email: "b@example.com", at: new Date(2_000) });
    recordLeadArrival(db, { pageId: "a".repeat(32), email: "a@example.com", at: 500 });
    recordLeadArrival(db, { pageId: "c".repeat(32), email: "c@example.com", at: 3_000 });
    expect(leadsArrivedSince(db, 1_000).map((lead) => lead.email)).toEqual(["b@example.com", "c@example.com"]);
  });
});
