import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { STATE_FILE_NAME } from "../../src/store/open-store.js";
import { eventually } from "../support/crm-harness.js";
import { REPO_ROOT, runTsFile, tsxArgs } from "../support/run-node.js";
import {
  HUBSPOT_CSV,
  HUBSPOT_FINAL,
  HUBSPOT_SUMMARY,
  seedHubspotExisting,
  startImportKit,
  type ImportKit,
} from "./import-kit.js";

const CREATE = /^\/v1\/pages$/;

let kit: ImportKit;
beforeEach(async () => {
  kit = await startImportKit();
});
afterEach(async () => {
  await kit.stop();
});

// The command as a person runs it: its own process, an explicit environment, run from a directory without a .env.
const runImport = (args: string[], env: Record<string, string> = {}) =>
  runTsFile("scripts/import.ts", { args, env: { ...kit.env, ...env }, cwd: kit.dir, timeoutMs: 60_000 });

it("prints the usage with --help and exits 0", async () => {
  const result = await runImport(["--help"]);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain("Usage: npm run import -- <file.csv> [--dry-run]");
  expect(result.stdout).toContain("--date-format");
});

it("imports a HubSpot export: progress on stderr, the summary as the last line of stdout", async () => {
  seedHubspotExisting(kit);
  const path = kit.file("hubspot.csv", HUBSPOT_CSV);
  const result = await runImport([path]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toBe(`${HUBSPOT_SUMMARY}\n`);
  expect(result.stderr).toContain("import: 4 contacts to write");
  expect(result.stderr).toContain("2 rows not imported: see");
  expect(kit.contacts()).toEqual(HUBSPOT_FINAL);
}, 60_000);

it("exits non-zero naming the headers it saw when the file has no email column, and writes nothing", async () => {
  const path = kit.file("no-email.csv", "Name,Phone,Organization\nAnn,123,Acme\n");
  const result = await runImport([path]);
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe("");
  expect(result.stderr.trim().split("\n")).toHaveLength(1);
  expect(result.stderr).toContain('headers seen: "Name", "Phone", "Organization"');
  expect(kit.crm.emulator.stats.requests).toHaveLength(0);
});

it("exits non-zero with one clear line when the file cannot be read", async () => {
  const result = await runImport([join(kit.dir, "missing.csv")]);
  expect(result.code).not.toBe(0);
  expect(result.stderr.trim()).toMatch(/^import: cannot read .*missing\.csv: no such file$/);
});

it("asks only for NOTION_TOKEN and NOTION_CONTACTS_DB_ID", async () => {
  const path = kit.file("hubspot.csv", HUBSPOT_CSV);
  const result = await runTsFile("scripts/import.ts", {
    args: [path],
    env: { NOTION_BASE_URL: kit.env.NOTION_BASE_URL!, DATA_DIR: kit.env.DATA_DIR! },
    cwd: kit.dir,
  });
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain("NOTION_TOKEN is required");
  expect(result.stderr).toContain("NOTION_CONTACTS_DB_ID is required");
  expect(result.stderr).not.toContain("FORM_SECRET");
});

it("killed with SIGKILL mid-run, then run again: the same final state, no duplicates, a create in flight settled", async () => {
  const NEW = 40;
  const EXISTING = 10;
  for (let i = 0; i < EXISTING; i++) kit.seedContact({ email: `old${i}@example.com`, name: `Old ${i}` });
  const rows = [
    ...Array.from({ length: NEW }, (_, i) => `new${i}@example.com,New ${i},New Co ${i}`),
    ...Array.from({ length: EXISTING }, (_, i) => `OLD${i}@example.com,Renamed ${i},Old Co ${i}`),
  ];
  const path = kit.file("big.csv", `Email,Name,Company\n${rows.join("\n")}\n`);
  const env = { ...kit.env, NOTION_RATE_LIMIT_RPS: "25" };
  kit.crm.emulator.faults.latencyMs = 40;

  const child = spawn(process.execPath, tsxArgs("scripts/import.ts", [path]), {
    cwd: kit.dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit");
  // Kill once some contacts are written and a create has been sent but not yet answered.
  await eventually(
    () => {
      const creates = kit.crm.emulator.stats.requests.filter((r) => r.method === "POST" && CREATE.test(r.path));
      expect(creates.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(8);
      expect(creates.some((r) => r.status === 0)).toBe(true);
    },
    { timeoutMs: 30_000, intervalMs: 2 },
  );
  child.kill("SIGKILL");
  await exited;
  expect(output).not.toContain("import: created");
  const state = new Database(join(kit.env.DATA_DIR!, STATE_FILE_NAME), { readonly: true });
  const inFlight = state.prepare("SELECT COUNT(*) AS n FROM import_rows WHERE state = 'creating'").get() as {
    n: number;
  };
  state.close();
  expect(inFlight.n).toBeGreaterThanOrEqual(1);
  const writtenAtKill = Object.keys(kit.contacts()).length;
  expect(writtenAtKill).toBeLessThan(NEW + EXISTING);

  kit.crm.emulator.faults.latencyMs = 0;
  const rerun = await runImport([path], env);

  expect(rerun.code, rerun.stderr).toBe(0);
  expect(rerun.stdout).toBe(`import: created ${NEW}, updated ${EXISTING}, unchanged 0, rejected 0\n`);
  const contacts = kit.contacts();
  expect(Object.keys(contacts)).toHaveLength(NEW + EXISTING);
  for (let i = 0; i < NEW; i++) {
    expect(contacts[`new${i}@example.com`]).toMatchObject({
      name: `New ${i}`,
      company: `New Co ${i}`,
      status: "new lead",
    });
  }
  for (let i = 0; i < EXISTING; i++) {
    // Filled (Company was empty), not overwritten (Name was set).
    expect(contacts[`old${i}@example.com`]).toMatchObject({ name: `Old ${i}`, company: `Old Co ${i}` });
  }
}, 90_000);

it("stops after the contacts in flight on Ctrl-C, says so, exits 130, and the next run finishes the file", async () => {
  const rows = Array.from({ length: 40 }, (_, i) => `c${i}@example.com,C ${i}`);
  const path = kit.file("ctrl-c.csv", `Email,Name\n${rows.join("\n")}\n`);
  const env = { ...kit.env, NOTION_RATE_LIMIT_RPS: "25" };
  kit.crm.emulator.faults.latencyMs = 20;
  const child = spawn(process.execPath, tsxArgs("scripts/import.ts", [path]), {
    cwd: kit.dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, "exit");
  await eventually(
    () => expect(kit.crm.emulator.stats.count({ method: "POST", path: CREATE })).toBeGreaterThanOrEqual(5),
    {
      timeoutMs: 30_000,
      intervalMs: 2,
    },
  );
  child.kill("SIGINT");
  const [code] = (await exited) as [number | null];

  expect(code, stderr).toBe(130);
  expect(stderr).toContain("import interrupted:");
  const created = Object.keys(kit.contacts()).length;
  expect(created).toBeLessThan(rows.length);
  // Every create that was sent was answered and counted: the summary matches Notion.
  expect(stdout).toBe(`import: created ${created}, updated 0, unchanged 0, rejected 0\n`);

  kit.crm.emulator.faults.latencyMs = 0;
  const rerun = await runImport([path], env);
  expect(rerun.code, rerun.stderr).toBe(0);
  expect(rerun.stdout).toBe(`import: created ${rows.length}, updated 0, unchanged 0, rejected 0\n`);
  expect(Object.keys(kit.contacts())).toHaveLength(rows.length);
}, 90_000);

it("on Ctrl-C while waiting for the rate-limit window, stops at once: nothing more is sent, exit 130, and the next run finishes the file", async () => {
  const rows = Array.from({ length: 30 }, (_, i) => `w${i}@example.com,W ${i}`);
  const path = kit.file("window.csv", `Email,Name\n${rows.join("\n")}\n`);
  // 20 a minute: the import (bulk) spends 14 (the schema check, the index, 11 creates), then waits for the window, 61 s.
  const env = { ...kit.env, NOTION_REQUESTS_PER_MINUTE: "20" };
  const child = spawn(process.execPath, tsxArgs("scripts/import.ts", [path]), {
    cwd: kit.dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, "exit");
  const { requests } = kit.crm.emulator.stats;
  await eventually(
    () => {
      expect(requests.length, stderr).toBe(14);
      expect(requests.every((request) => request.status !== 0)).toBe(true);
    },
    { timeoutMs: 30_000, intervalMs: 5 },
  );
  child.kill("SIGINT");
  const [code] = (await exited) as [number | null];

  expect(code, stderr).toBe(130);
  expect(stderr).toContain("import interrupted:");
  // The contacts waiting for the window were not sent once the window moved on: the import had stopped.
  expect(requests).toHaveLength(14);
  const created = Object.keys(kit.contacts()).length;
  expect(created).toBe(11);
  expect(stdout).toBe(`import: created ${created}, updated 0, unchanged 0, rejected 0\n`);

  // The next run (the kit's budget, far larger) settles the rows that were waiting and creates the rest, once each.
  const rerun = await runImport([path]);
  expect(rerun.code, rerun.stderr).toBe(0);
  expect(rerun.stdout).toBe(`import: created ${rows.length}, updated 0, unchanged 0, rejected 0\n`);
  expect(Object.keys(kit.contacts())).toHaveLength(rows.length);
}, 90_000);
