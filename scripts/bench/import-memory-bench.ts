import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNotionEmulator } from "@notion-crm/notion-emulator";
import { seedCrm } from "../lib/crm-seed.js";
import { REPO_ROOT, tsxArgs } from "../lib/run-ts-file.js";
import { sleep } from "../../src/util/sleep.js";
import { buildProductionOnce } from "./bench-crm.js";
import { fixed } from "./measure.js";

/** The issue's goal: a 50 MB export imported within this peak RSS. */
const PEAK_RSS_GOAL_MB = 150;
/** The dry run's file: about 50 MB of HubSpot-like rows. */
const DRY_RUN_MB = 50;
/** The real run's file, and the distinct emails in it (the rest repeat them): every contact is one create. */
const REAL_RUN_MB = 10;
const REAL_RUN_CONTACTS = 3_000;
/** Contacts already in Notion, each the email of a row of the file, half of them with a Company to fill. */
const EXISTING = 1_000;
/** Every REPEAT_EVERY-th row repeats an earlier email; every REJECT_EVERY-th has none or a broken one. */
const REPEAT_EVERY = 10;
const REJECT_EVERY = 50;
/** The emulator and the import are not held to Notion's pace: the bench is about memory. */
const REQUESTS_PER_MINUTE = 60_000;
const TIME = "/usr/bin/time";

const HEADER = "First Name,Last Name,Email,Company Name,Lead Status,Last Activity Date,Original Source,Notes";
const STATUSES = ["New", "Open", "qualified", "In Progress", ""];
const SOURCES = ["Organic Search", "Paid Social", "Referral", "Direct Traffic", ""];

/**
 * The import of a ~50 MB HubSpot-like export (repeated emails, rows without
 * a valid email, quoted commas and newlines) with --dry-run, then a real run
 * of a ~10 MB one, each in its own process as a server runs it
 * (`node dist/scripts/import.js`, docs/operate.md), against an emulator in
 * this process; with the dry run once more through tsx, as `npm run import`
 * runs it (tsx itself costs some 30 MB). Reports each run's peak RSS, from
 * `/usr/bin/time -v` when there is one, else from polling VmHWM in /proc, as
 * a ratio to the 150 MB goal.
 */
export async function importMemoryBench(): Promise<string[]> {
  const emulator = await startNotionEmulator({ requestsPerMinute: REQUESTS_PER_MINUTE });
  const crm = seedCrm(emulator.admin);
  for (let i = 0; i < EXISTING; i++) {
    emulator.admin.insertPage(crm.contacts.dataSourceId, {
      Name: { title: [{ text: { content: `Known ${i}` } }] },
      Email: { email: emailOf(i * REPEAT_EVERY + 1) },
      ...(i % 2 === 0 && { Company: { rich_text: [{ text: { content: `Known Co ${i}` } }] } }),
    });
  }
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-import-memory-"));
  const env = {
    NOTION_TOKEN: emulator.token,
    NOTION_BASE_URL: emulator.url,
    NOTION_CONTACTS_DB_ID: crm.contacts.databaseId,
    NOTION_REQUESTS_PER_MINUTE: String(REQUESTS_PER_MINUTE),
    DATA_DIR: join(dir, "data"),
    LOG_LEVEL: "warn",
  };
  try {
    const dryFile = join(dir, "hubspot-50mb.csv");
    const dry = writeExport(dryFile, DRY_RUN_MB, (i) => emailOf(i));
    buildProductionOnce();
    const dryRun = await runImport("compiled", [dryFile, "--dry-run"], env, dir);
    const tsxDryRun = await runImport("tsx", [dryFile, "--dry-run"], env, dir);
    const realFile = join(dir, "hubspot-10mb.csv");
    const real = writeExport(realFile, REAL_RUN_MB, (i) => emailOf(i % REAL_RUN_CONTACTS));
    const realRun = await runImport("compiled", [realFile], env, dir);
    const line = (what: string, run: ImportRun) =>
      `  ${what}: peak RSS ${fixed(run.peakMb, 0)} MB vs goal ${PEAK_RSS_GOAL_MB} MB = ${fixed(run.peakMb / PEAK_RSS_GOAL_MB, 2)}x (${run.how}); ${fixed(run.wallMs / 1000, 1)} s; ${run.code === 0 ? run.summary : `exit ${run.code}: ${run.lastError}`}`;
    return [
      `The import (node dist/scripts/import.js) of HubSpot-like exports, ${EXISTING} of their emails already in Notion; every ${REPEAT_EVERY}th row repeats an email, every ${REJECT_EVERY}th has none or a broken one`,
      line(`--dry-run, ${fixed(dry.mb, 1)} MB (${dry.rows} rows)`, dryRun),
      line(`--dry-run, ${fixed(dry.mb, 1)} MB, through tsx (npm run import)`, tsxDryRun),
      line(`real run, ${fixed(real.mb, 1)} MB (${real.rows} rows, ${REAL_RUN_CONTACTS} emails)`, realRun),
    ];
  } finally {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function emailOf(i: number): string {
  return `contact${i}@example.com`;
}

/** A HubSpot contacts export of about `mb` MB; `email(i)` is row i's address unless the row repeats or is broken. */
export function writeExport(path: string, mb: number, email: (i: number) => string): { rows: number; mb: number } {
  const target = mb * 1024 * 1024;
  const chunks: string[] = [`\uFEFF${HEADER}\r\n`];
  let size = chunks[0]!.length;
  let rows = 0;
  for (let i = 0; size < target; i++) {
    const address =
      i % REJECT_EVERY === REJECT_EVERY - 1
        ? i % 2 === 0
          ? ""
          : `broken-${i}`
        : i % REPEAT_EVERY === REPEAT_EVERY - 1
          ? email(Math.max(0, i - 7))
          : email(i);
    const notes =
      i % 25 === 0
        ? `"Met at the ""expo"", booth ${i % 40}\r\nasked for a call back"`
        : `Asked about pricing for ${1 + (i % 20)} seats, follow up in week ${i % 52}`;
    const row = [
      `First${i % 997}`,
      `Last${i % 1009}`,
      address,
      i % 3 === 0 ? `"Company ${i % 5000}, Inc."` : `Company ${i % 5000}`,
      STATUSES[i % STATUSES.length],
      i % 7 === 0 ? "" : `2026-0${1 + (i % 9)}-1${i % 10} 1${i % 10}:0${i % 6}`,
      SOURCES[i % SOURCES.length],
      notes,
    ].join(",");
    chunks.push(`${row}\r\n`);
    size += row.length + 2;
    rows++;
  }
  writeFileSync(path, chunks.join(""));
  return { rows, mb: statSync(path).size / 1024 / 1024 };
}

type ImportRun = {
  code: number | null;
  peakMb: number;
  how: string;
  wallMs: number;
  summary: string;
  lastError: string;
};

/** The import in its own process; its peak resident set from GNU time, or from polling /proc when there is none. */
async function runImport(
  how: "compiled" | "tsx",
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<ImportRun> {
  const viaTime = existsSync(TIME);
  const node = [
    process.execPath,
    ...(how === "tsx" ? tsxArgs("scripts/import.ts", args) : [join(REPO_ROOT, "dist/scripts/import.js"), ...args]),
  ];
  const started = Date.now();
  const child = spawn(viaTime ? TIME : node[0]!, viaTime ? ["-v", ...node] : node.slice(1), {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let polledKb = 0;
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      running = false;
      resolve(code);
    }),
  );
  // Without GNU time: the child is node itself; its VmHWM, read until it exits.
  while (!viaTime && running) {
    polledKb = Math.max(polledKb, statusKb(child.pid!, "VmHWM"));
    await sleep(50);
  }
  const code = await exited;
  const wallMs = Date.now() - started;
  const timeKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
  const lines = stdout.trim().split("\n");
  return {
    code,
    peakMb: (viaTime ? timeKb : polledKb) / 1024,
    how: viaTime ? "/usr/bin/time -v" : "VmHWM polled",
    wallMs,
    summary: lines.find((line) => line.startsWith("import:")) ?? lines.find((line) => line.startsWith("Would")) ?? "",
    lastError:
      stderr
        .split("\n")
        .filter((line) => line.trim() !== "" && !line.startsWith("\t") && !line.startsWith("Command exited"))
        .at(-1) ?? "",
  };
}

/** A figure of Linux's /proc status in kB (0 once the process is gone). */
function statusKb(pid: number, field: "VmHWM"): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return Number(match?.[1] ?? 0);
  } catch {
    return 0;
  }
}
