import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNotionEmulator } from "@notion-crm/notion-emulator";
import { sleep } from "../../src/util/sleep.js";
import { seedCrm } from "../lib/crm-seed.js";
import { tsxArgs } from "../lib/run-ts-file.js";
import { postSignedLead } from "../lib/signed-post.js";
import { spawnServer, type SpawnedServer } from "../lib/spawn-server.js";
import { waitUntil } from "../lib/wait-until.js";
import {
  bulkBudgetOf,
  drainTimeMs,
  REQUEST_WINDOW_MARGIN_MS,
  REQUEST_WINDOW_MS,
} from "../../src/rate-limit/request-window.js";
import { fixed, percentile } from "./measure.js";

/** Notion's budget on Business and Enterprise, for any 60 s. */
const LIMIT_PER_MINUTE = 600;
const ROWS = 2_000;
const EXISTING = 500;
/** Of the contacts already in Notion, this many have an empty Company the file fills; the rest change nothing. */
const TO_FILL = 250;
const INDEX_PAGE_SIZE = 100;
/** databases.retrieve and dataSources.retrieve: the schema check before anything is written. */
const SETUP_CALLS = 2;
/** A live lead (a new contact) costs the server a lookup and a create. */
const CALLS_PER_LEAD = 2;
const LEAD_EVERY_MS = 2_500;
const FORM_SECRET = "bench-form-secret";

/**
 * `npm run import` of 2,000 rows (500 already in Notion, 250 of them with a
 * field to fill) against an emulator allowing 600 requests in any 60 s,
 * while a server on the same DATA_DIR takes a new lead every 2.5 s. The
 * import is bulk work: ideal = its bulk budget (600 less the live reserve)
 * at once, then one window for each further bulk budget (`drainTimeMs`);
 * the live leads spend the reserve beside it.
 */
export async function importBench(): Promise<string[]> {
  const emulator = await startNotionEmulator({ requestsPerMinute: LIMIT_PER_MINUTE });
  const crm = seedCrm(emulator.admin);
  for (let i = 0; i < EXISTING; i++) {
    emulator.admin.insertPage(crm.contacts.dataSourceId, {
      Name: { title: [{ text: { content: `Existing ${i}` } }] },
      Email: { email: `existing${i}@example.com` },
      ...(i >= TO_FILL && { Company: { rich_text: [{ text: { content: `Existing Co ${i}` } }] } }),
    });
  }
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-"));
  const file = join(dir, "contacts.csv");
  const rows = Array.from({ length: ROWS }, (_, i) =>
    i < EXISTING
      ? `existing${i}@example.com,Existing ${i},Existing Co ${i}`
      : `new${i}@example.com,New ${i},New Co ${i}`,
  );
  writeFileSync(file, `Email,Name,Company\n${rows.join("\n")}\n`);
  const env = {
    NOTION_TOKEN: emulator.token,
    NOTION_BASE_URL: emulator.url,
    NOTION_CONTACTS_DB_ID: crm.contacts.databaseId,
    NOTION_REQUESTS_PER_MINUTE: String(LIMIT_PER_MINUTE),
    FORM_SECRET,
    DATA_DIR: join(dir, "data"),
    PORT: "0",
    LOG_LEVEL: "warn",
  };
  let server: SpawnedServer | undefined;
  try {
    server = await spawnServer({ ...env, LOG_LEVEL: "info" });
    emulator.stats.reset();
    const started = Date.now();
    const importer = spawn(process.execPath, tsxArgs("scripts/import.ts", [file]), {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    importer.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    importer.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(importer, "exit");
    let running = true;
    void exited.then(() => (running = false));

    // Live leads while the import runs, once it is writing; each answer is 200 once its contact is in Notion.
    await waitUntil(() => emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/ }) > 0 || !running, {
      what: "the import to start writing",
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    const leadMs: number[] = [];
    const pending: Array<Promise<void>> = [];
    let leads = 0;
    while (running) {
      const email = `live${leads++}@example.com`;
      pending.push(
        postSignedLead(server.url, { email, name: `Live ${leads}` }, FORM_SECRET).then(async (answer) => {
          if (answer.status === 200) return void leadMs.push(answer.ms);
          // 202: not in Notion within the server's wait; time it until it is.
          const posted = performance.now() - answer.ms;
          await waitUntil(
            () =>
              emulator.admin
                .listPages(crm.contacts.dataSourceId)
                .some((page) => (page.properties.Email as { email: string | null }).email === email),
            { what: `lead ${email}`, timeoutMs: 120_000, intervalMs: 50 },
          );
          leadMs.push(performance.now() - posted);
        }),
      );
      await sleep(LEAD_EVERY_MS);
    }
    await exited;
    const wallMs = Date.now() - started;
    await Promise.all(pending);

    const calls = emulator.stats.requests.length;
    const arrivals = emulator.stats.requests.map((request) => request.at);
    const busyMs = Math.max(...arrivals) - Math.min(...arrivals);
    const leadCalls = leads * CALLS_PER_LEAD;
    const importCalls = calls - leadCalls;
    const indexPages = Math.ceil(EXISTING / INDEX_PAGE_SIZE);
    const minimum = ROWS - EXISTING + TO_FILL + indexPages;
    const bulkBudget = bulkBudgetOf(LIMIT_PER_MINUTE);
    const idealMs = drainTimeMs(importCalls, bulkBudget);
    return [
      `npm run import of ${ROWS} rows (${EXISTING} already in Notion, ${TO_FILL} of them to fill) against an emulator allowing ${LIMIT_PER_MINUTE} requests in any 60 s, a server on the same DATA_DIR taking a new lead every ${LEAD_EVERY_MS / 1000} s`,
      `  summary: ${stdout.trim().split("\n").at(-1) ?? "(none)"}${importer.exitCode === 0 ? "" : ` (exit ${importer.exitCode}: ${stderr.trim().split("\n").at(-1)})`}`,
      `  import calls ${importCalls} vs minimum ${minimum} (${ROWS - EXISTING} creates + ${TO_FILL} fills + ${indexPages} index pages) = ${fixed(importCalls / minimum, 3)}x; ${SETUP_CALLS} of them are the schema check`,
      `  wall ${fixed(wallMs / 1000, 1)} s vs ideal ${fixed(idealMs / 1000, 1)} s (${importCalls} import calls: ${bulkBudget} at once, then a window of ${(REQUEST_WINDOW_MS + REQUEST_WINDOW_MARGIN_MS) / 1000} s for each further ${bulkBudget}; beside them ${leadCalls} calls for ${leads} live leads) = ${fixed(wallMs / idealMs, 3)}x` +
        ` (first to last request ${fixed(busyMs / 1000, 1)} s = ${fixed(busyMs / idealMs, 3)}x; the rest is start-up); ${emulator.stats.rateLimited} x 429`,
      `  live lead to Notion during the import: p50 ${fixed(percentile(leadMs, 50) / 1000, 2)} s, p95 ${fixed(percentile(leadMs, 95) / 1000, 2)} s, max ${fixed(Math.max(...leadMs) / 1000, 2)} s (${leadMs.length} leads)`,
    ];
  } finally {
    await server?.kill("SIGTERM");
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
