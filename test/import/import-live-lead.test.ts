import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { emailOf } from "../support/notion-page.js";
import { tsxArgs } from "../support/run-node.js";

const RATE_PER_SECOND = 20;
const IMPORTED = 150;
/**
 * Requests Notion may see between a lead's POST and its contact existing:
 * the lead's own two (the lookup, the create), the import's requests already
 * holding a token (its concurrency, 4), and the one token bulk work may take
 * between the lead's two calls. The import alone would make ~40 in that time.
 */
const MAX_REQUESTS_UNTIL_WRITTEN = 2 + 4 + 2;

let h: CrmHarness;
afterEach(async () => {
  await h?.stop();
});

it("a lead posted to the running server during an import reaches Notion within a few bucket tokens", async () => {
  h = await startCrmHarness({
    emulator: { rateLimitPerSecond: RATE_PER_SECOND },
    env: { NOTION_RATE_LIMIT_RPS: String(RATE_PER_SECOND) },
  });
  const path = join(h.dataDir, "..", `${h.dataDir.split("/").at(-1)}-contacts.csv`);
  writeFileSync(
    path,
    `Email,Name\n${Array.from({ length: IMPORTED }, (_, i) => `imported${i}@example.com,Imported ${i}`).join("\n")}\n`,
  );
  const importer = spawn(process.execPath, tsxArgs("scripts/import.ts", [path]), {
    cwd: h.dataDir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NOTION_TOKEN: h.env.NOTION_TOKEN!,
      NOTION_BASE_URL: h.env.NOTION_BASE_URL!,
      NOTION_CONTACTS_DB_ID: h.env.NOTION_CONTACTS_DB_ID!,
      NOTION_RATE_LIMIT_RPS: String(RATE_PER_SECOND),
      DATA_DIR: h.dataDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  importer.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  importer.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(importer, "exit");
  const imported = () => h.contacts().filter((page) => emailOf(page)?.startsWith("imported")).length;
  await eventually(() => expect(imported()).toBeGreaterThanOrEqual(20), { timeoutMs: 30_000, intervalMs: 5 });

  const requestsBefore = h.crm.emulator.stats.requests.length;
  // supertest sends on .then(): Promise.resolve starts it without waiting for the answer.
  const answer = Promise.resolve(h.postLead({ email: "live@example.com", name: "Live Lead" }));
  await eventually(() => expect(h.contacts().some((page) => emailOf(page) === "live@example.com")).toBe(true), {
    timeoutMs: 30_000,
    intervalMs: 2,
  });
  const requestsUntilWritten = h.crm.emulator.stats.requests.length - requestsBefore;
  const importedWhenLeadWritten = imported();
  const importStillRunning = importer.exitCode === null;

  expect([200, 202]).toContain((await answer).status);
  await exited;
  expect(importer.exitCode, stderr).toBe(0);
  expect(stdout).toBe(`import: created ${IMPORTED}, updated 0, unchanged 0, rejected 0\n`);
  expect(importStillRunning).toBe(true);
  expect(importedWhenLeadWritten).toBeLessThan(IMPORTED);
  expect(requestsUntilWritten).toBeLessThanOrEqual(MAX_REQUESTS_UNTIL_WRITTEN);
  // One budget for both processes: Notion never had to say 429.
  expect(h.crm.emulator.stats.rateLimited).toBe(0);
}, 90_000);
