import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "../../src/util/sleep.js";
import { tsxArgs } from "../lib/run-ts-file.js";
import { postSignedLead } from "../lib/signed-post.js";
import { waitUntil } from "../lib/wait-until.js";
import { BENCH_FORM_SECRET as FORM_SECRET, startBenchCrm } from "./bench-crm.js";
import { fixed, percentile } from "./measure.js";

/** Notion's budget on Free and Plus, for any 60 s. */
const LIMIT_PER_MINUTE = 180;
const NOTION_WINDOW_MS = 60_000;
const LATENCY_MS = 100;
const BIG_BURST = 200;
const IMPORT_ROWS = 600;
const LIVE_LEADS = 12;
const LIVE_EVERY_MS = 5_000;

/**
 * Notion's per-minute budget at full scale (no scaled-down window: the server's
 * window is Notion's, 60 s and a 1 s margin, so these take minutes):
 * - 200 new leads posted at once: ~3 calls each, so ~3.5 budgets; ideal =
 *   the budget arithmetic (the first 180 calls at once, one more 60 s window
 *   for each further 180), goal <= 1.05x and no 429;
 * - a live lead every 5 s while `npm run import` of 600 new rows runs on the
 *   same DATA_DIR: time until each is in Notion, goal p95 <= 3 s.
 */
export async function limitsBench(): Promise<string[]> {
  const lines = [
    `Notion's budget: an emulator allowing ${LIMIT_PER_MINUTE} requests in any 60 s, ${LATENCY_MS} ms a round trip, the server in its own process`,
  ];
  lines.push(...(await bigBurst()));
  lines.push(...(await liveDuringImport()));
  return lines;
}

async function bigBurst(): Promise<string[]> {
  const bench = await startBenchCrm(LIMIT_PER_MINUTE);
  const { emulator, crm } = bench;
  try {
    const server = await bench.startServer();
    emulator.faults.latencyMs = LATENCY_MS;
    // The server's schema check at start is in the window too: counted from the first request.
    const started = Math.min(...emulator.stats.requests.map((r) => r.at), Date.now());
    const answers = await Promise.all(
      Array.from({ length: BIG_BURST }, (_, i) =>
        postSignedLead(server.url, { email: `big${i}@example.com`, name: `Big ${i}` }, FORM_SECRET),
      ),
    );
    await waitUntil(() => emulator.admin.listPages(crm.activities.dataSourceId).length >= BIG_BURST, {
      what: "the burst to drain",
      timeoutMs: 600_000,
      intervalMs: 100,
    });
    const drainMs = Date.now() - started;
    const calls = emulator.stats.requests.length;
    const windows = Math.ceil(calls / LIMIT_PER_MINUTE) - 1;
    const idealMs = windows * NOTION_WINDOW_MS + 3 * LATENCY_MS;
    const ok = answers.filter((answer) => answer.status === 200).length;
    return [
      `  ${BIG_BURST} new leads at once: drain ${fixed(drainMs / 1000, 1)} s vs ideal ${fixed(idealMs / 1000, 1)} s (${calls} calls = ${windows} more windows of 60 s after the first budget) = ${fixed(drainMs / idealMs, 3)}x; ${ok} answered 200, ${BIG_BURST - ok} 202; ${emulator.stats.rateLimited} x 429`,
    ];
  } finally {
    await bench.stop();
  }
}

async function liveDuringImport(): Promise<string[]> {
  const bench = await startBenchCrm(LIMIT_PER_MINUTE);
  const { emulator, crm } = bench;
  const file = join(bench.dataDir, "contacts.csv");
  writeFileSync(
    file,
    `Email,Name\n${Array.from({ length: IMPORT_ROWS }, (_, i) => `imported${i}@example.com,Imported ${i}`).join("\n")}\n`,
  );
  try {
    const server = await bench.startServer();
    emulator.faults.latencyMs = LATENCY_MS;
    const importer = spawn(process.execPath, tsxArgs("scripts/import.ts", [file]), {
      cwd: bench.dataDir,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NOTION_TOKEN: emulator.token,
        NOTION_BASE_URL: emulator.url,
        NOTION_CONTACTS_DB_ID: crm.contacts.databaseId,
        NOTION_REQUESTS_PER_MINUTE: String(LIMIT_PER_MINUTE),
        DATA_DIR: bench.dataDir,
      },
      stdio: ["ignore", "ignore", "ignore"],
    });
    const exited = once(importer, "exit");
    await waitUntil(() => emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/ }) > 0, {
      what: "the import to start writing",
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    const leadMs: number[] = [];
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < LIVE_LEADS; i++) {
      const email = `live${i}@example.com`;
      const posted = performance.now();
      pending.push(
        postSignedLead(server.url, { email, name: `Live ${i}` }, FORM_SECRET).then(async (answer) => {
          if (answer.status !== 200) {
            await waitUntil(
              () =>
                emulator.admin
                  .listPages(crm.contacts.dataSourceId)
                  .some((page) => (page.properties.Email as { email: string | null }).email === email),
              { what: `lead ${email}`, timeoutMs: 180_000, intervalMs: 50 },
            );
          }
          leadMs.push(performance.now() - posted);
        }),
      );
      await sleep(LIVE_EVERY_MS);
    }
    await Promise.all(pending);
    const imported = emulator.admin
      .listPages(crm.contacts.dataSourceId)
      .filter((page) => (page.properties.Email as { email: string | null }).email?.startsWith("imported")).length;
    importer.kill("SIGKILL");
    await exited;
    return [
      `  live lead to Notion while an import of ${IMPORT_ROWS} rows runs (a lead every ${LIVE_EVERY_MS / 1000} s, ${LIVE_LEADS} leads; ${imported} rows imported meanwhile): p50 ${fixed(percentile(leadMs, 50) / 1000, 2)} s, p95 ${fixed(percentile(leadMs, 95) / 1000, 2)} s, max ${fixed(Math.max(...leadMs) / 1000, 2)} s (goal p95 <= 3 s); ${emulator.stats.rateLimited} x 429`,
    ];
  } finally {
    await bench.stop();
  }
}
