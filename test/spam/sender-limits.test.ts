import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSenderLimits, SENDER_WINDOW_MS } from "../../src/spam/sender-limits.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { makeTempDir } from "../support/temp-dir.js";

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const HOUR_S = SENDER_WINDOW_MS / 1000;

describe("createSenderLimits", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let nowMs: number;
  const clock = () => nowMs;

  beforeEach(() => {
    dir = makeTempDir();
    db = openStore(dir.path);
    nowMs = T0;
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it("lets an IP through up to its hourly limit, then says when the oldest submission leaves the window", () => {
    const limits = createSenderLimits(db, { perIpPerHour: 2, perEmailPerHour: 0 }, clock);
    expect(limits.take({ ip: "203.0.113.7", email: "a@x.co" })).toEqual({ ok: true });
    nowMs += 10 * 60_000;
    expect(limits.take({ ip: "203.0.113.7", email: "b@x.co" })).toEqual({ ok: true });
    nowMs += 60_000;
    expect(limits.take({ ip: "203.0.113.7", email: "c@x.co" })).toEqual({
      ok: false,
      limitedBy: "ip",
      retryAfterSeconds: HOUR_S - 11 * 60,
    });
    // Another address is not affected.
    expect(limits.take({ ip: "198.51.100.1", email: "c@x.co" })).toEqual({ ok: true });
  });

  it("counts a whole IPv6 /64 as one sender, and the next /64 apart", () => {
    const limits = createSenderLimits(db, { perIpPerHour: 2, perEmailPerHour: 0 }, clock);
    expect(limits.take({ ip: "2001:db8:1:2::1", email: "a@x.co" })).toEqual({ ok: true });
    expect(limits.take({ ip: "2001:db8:1:2:ffff::9", email: "b@x.co" })).toEqual({ ok: true });
    expect(limits.take({ ip: "2001:db8:1:2:1234:5678:9abc:def0", email: "c@x.co" })).toMatchObject({
      ok: false,
      limitedBy: "ip",
    });
    expect(limits.take({ ip: "2001:db8:1:3::1", email: "c@x.co" })).toEqual({ ok: true });
  });

  it("counts per email regardless of the address it comes from", () => {
    const limits = createSenderLimits(db, { perIpPerHour: 0, perEmailPerHour: 1 }, clock);
    expect(limits.take({ ip: "203.0.113.7", email: "ann@x.co" }).ok).toBe(true);
    expect(limits.take({ ip: "198.51.100.1", email: "ann@x.co" })).toEqual({
      ok: false,
      limitedBy: "email",
      retryAfterSeconds: HOUR_S,
    });
  });

  it("does not count a refused submission, so the sender gets in once the window has moved", () => {
    const limits = createSenderLimits(db, { perIpPerHour: 1, perEmailPerHour: 0 }, clock);
    limits.take({ ip: "203.0.113.7", email: "a@x.co" });
    for (let i = 0; i < 5; i++) expect(limits.take({ ip: "203.0.113.7", email: "a@x.co" }).ok).toBe(false);
    nowMs += SENDER_WINDOW_MS;
    expect(limits.take({ ip: "203.0.113.7", email: "a@x.co" }).ok).toBe(true);
  });

  it("treats 0 as no limit", () => {
    const limits = createSenderLimits(db, { perIpPerHour: 0, perEmailPerHour: 0 }, clock);
    for (let i = 0; i < 50; i++) expect(limits.take({ ip: "203.0.113.7", email: "a@x.co" }).ok).toBe(true);
    expect(db.prepare("SELECT count(*) AS n FROM sender_hits").get()).toEqual({ n: 0 });
  });

  it("holds across a restart: the counts live in the state file", () => {
    createSenderLimits(db, { perIpPerHour: 1, perEmailPerHour: 0 }, clock).take({ ip: "203.0.113.7", email: "a@x.co" });
    db.close();
    db = openStore(dir.path);
    expect(
      createSenderLimits(db, { perIpPerHour: 1, perEmailPerHour: 0 }, clock).take({
        ip: "203.0.113.7",
        email: "b@x.co",
      }).ok,
    ).toBe(false);
  });

  it("forgets hits older than the window", () => {
    const limits = createSenderLimits(db, { perIpPerHour: 5, perEmailPerHour: 5 }, clock);
    limits.take({ ip: "203.0.113.7", email: "a@x.co" });
    nowMs += SENDER_WINDOW_MS + 1;
    limits.take({ ip: "198.51.100.1", email: "b@x.co" });
    expect(db.prepare("SELECT kind, sender FROM sender_hits ORDER BY kind").all()).toEqual([
      { kind: "email", sender: "b@x.co" },
      { kind: "ip", sender: "198.51.100.1" },
    ]);
  });
});
