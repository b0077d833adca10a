import { afterEach, beforeEach, expect, it } from "vitest";
import { checkLeadQueue } from "../../src/check/check-lead-queue.js";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { createCreateHold } from "../../src/notion/create-hold.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { makeTempDir } from "../support/temp-dir.js";
import { queuedLead as leadOf } from "../support/queued-lead.js";

let dir: ReturnType<typeof makeTempDir>;
let db: Store;
const T0 = Date.UTC(2026, 8, 8, 9, 0, 0);
const MINUTE_MS = 60_000;
beforeEach(() => {
  dir = makeTempDir();
  db = openStore(dir.path);
});
afterEach(() => {
  db.close();
  dir.remove();
});

it("passes when nothing is held and no lead waits", () => {
  const results = checkLeadQueue(db, { backlogAfterMs: 15 * MINUTE_MS, now: T0 });
  expect(results.map((r) => r.outcome)).toEqual(["pass", "pass"]);
});

it("reports a hold, with its held leads and both causes, and a backlog older than the limit as problems", () => {
  const queue = createLeadQueue(db, () => T0);
  const held = queue.enqueue(leadOf("held@example.com")).submission;
  queue.enqueue(leadOf("waiting@example.com"));
  createCreateHold(db, { now: () => T0 }).refused("restricted_resource");
  queue.hold([held.id], "held");

  const [hold, backlog] = checkLeadQueue(db, { backlogAfterMs: 15 * MINUTE_MS, now: T0 + 20 * MINUTE_MS });
  expect(hold).toMatchObject({ name: "Notion creates", outcome: "fail" });
  expect(hold!.detail).toContain("since 20 min ago: 1 new lead held");
  expect(hold!.detail).toContain("upgrade the workspace's plan, or remove members");
  expect(hold!.detail).toContain("Insert content");
  expect(backlog).toMatchObject({ name: "Lead backlog", outcome: "fail" });
  expect(backlog!.detail).toContain("has waited 20 min");

  const [, young] = checkLeadQueue(db, { backlogAfterMs: 15 * MINUTE_MS, now: T0 + 10 * MINUTE_MS });
  expect(young).toMatchObject({ outcome: "pass" });
});

it("names a revoked token or an unshared database as the cause of a hold, with its own fix, not the create refusal's", () => {
  const queue = createLeadQueue(db, () => T0);
  queue.hold([queue.enqueue(leadOf("held@example.com")).submission.id], "held");
  createCreateHold(db, { now: () => T0 }).refused(
    "Notion rejected query contact by email: unauthorized",
    "unauthorized",
  );
  const [token] = checkLeadQueue(db, { backlogAfterMs: 15 * MINUTE_MS, now: T0 + 5 * MINUTE_MS });
  expect(token).toMatchObject({ name: "Notion creates", outcome: "fail" });
  expect(token!.detail).toMatch(/^Notion refuses the token \(HTTP 401\) since 5 min ago: 1 lead held/);
  expect(token!.detail).toContain("NOTION_TOKEN");
  expect(token!.detail).not.toContain("Insert content");

  createCreateHold(db, { now: () => T0 }).refused("object_not_found", "unshared");
  const [unshared] = checkLeadQueue(db, { backlogAfterMs: 15 * MINUTE_MS, now: T0 + 5 * MINUTE_MS });
  expect(unshared!.detail).toMatch(/^Notion no longer finds the Contacts database \(HTTP 404\)/);
  expect(unshared!.detail).toContain("Connections");
});

it("is part of `npm run check`'s report, which then fails", async () => {
  createCreateHold(db).refused("restricted_resource");
  db.close();
  const { runChecks } = await import("../../src/check/run-checks.js");
  const results = await runChecks({ DATA_DIR: dir.path }, { envFile: false });
  db = openStore(dir.path);
  expect(results.find((result) => result.name === "Notion creates")).toMatchObject({ outcome: "fail" });
  expect(results.find((result) => result.name === "Lead backlog")).toMatchObject({ outcome: "pass" });
});
