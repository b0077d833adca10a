import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { emailOf } from "../support/notion-page.js";
import { tsxArgs } from "../support/run-node.js";
import { bulkBudgetOf } from "../../src/rate-limit/request-window.js";

/** A small budget, so the import spends its share of the window and then has to wait a whole window. */
const REQUESTS_PER_MINUTE = 60;
const IMPORTED = 150;

let h: CrmHarness;
afterEach(async () => {
  await h?.stop();
});

it("a lead posted to the running server while an import has spent all bulk work may of the window still reaches Notion at once", async () => {
  h = await startCrmHarness({
    emulator: { requestsPerMinute: REQUESTS_PER_MINUTE },
    env: { NOTION_REQUESTS_PER_MINUTE: String(REQUESTS_PER_MINUTE) },
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
      NOTION_REQUESTS_PER_MINUTE: String(REQUESTS_PER_MINUTE),
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
  // The import stalls once the window holds the budget less the live reserve (40 of 60): it waits a whole window.
  const bulkBudget = bulkBudgetOf(REQUESTS_PER_MINUTE);
  await eventually(() => expect(h!.crm.emulator.stats.requests.length).toBeGreaterThanOrEqual(bulkBudget), {
    timeoutMs: 30_000,
    intervalMs: 5,
  });
  const importedBefore = imported();

  const answer = await h.postLead({ email: "live@example.com", name: "Live Lead" });
  const importedWhenLeadWritten = imported();
  const importStillRunning = importer.exitCode === null;
  const requestsWhenLeadWritten = h.crm.emulator.stats.requests.length;
  // The import would go on a window later; the test has seen what it needs.
  importer.kill("SIGKILL");
  await exited;

  // The server answered 200: the lead was written within its wait, although the import had filled its share.
  expect(answer.status, stderr).toBe(200);
  expect(h.contacts().some((page) => emailOf(page) === "live@example.com")).toBe(true);
  expect(importStillRunning).toBe(true);
  expect(importedWhenLeadWritten).toBe(importedBefore);
  expect(importedWhenLeadWritten).toBeLessThan(IMPORTED);
  // One budget for both processes: never more than it in the window, and Notion never had to say 429.
  expect(requestsWhenLeadWritten).toBeLessThanOrEqual(REQUESTS_PER_MINUTE);
  expect(h.crm.emulator.stats.rateLimited).toBe(0);
  void stdout;
}, 90_000);
