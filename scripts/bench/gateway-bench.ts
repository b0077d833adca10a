import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../src/log/create-logger.js";
import { createNotionGateway } from "../../src/notion/notion-gateway.js";
import { startNotionEmulator } from "@notion-crm/notion-emulator";
import { seedCrm } from "../lib/crm-seed.js";
import { openStore } from "../../src/store/open-store.js";
import { tsxArgs } from "../lib/run-ts-file.js";
import { fixed } from "./measure.js";

const LIMIT_PER_MINUTE = 180;
// Past one window's budget, so the second window's pace shows too.
const REQUESTS = 240;

/**
 * The gateway against an emulator allowing 180 requests in any 60 s, in one process and in two sharing
 * DATA_DIR: the first 180 go at once, the rest once the first leave the window. Ideal = the budget
 * arithmetic (requests past the first window wait one window, 60 s, each further 180).
 */
export async function gatewayBench(): Promise<string[]> {
  const emulator = await startNotionEmulator({ requestsPerMinute: LIMIT_PER_MINUTE });
  const { contacts } = seedCrm(emulator.admin);
  const lines = [
    `Notion gateway, ${REQUESTS} requests against an emulator allowing ${LIMIT_PER_MINUTE} in any 60 s (ratio = time / ideal; aim <= 1.05, zero 429s)`,
  ];
  try {
    const oneProcess = makeDataDir();
    const started = Date.now();
    const db = openStore(oneProcess.path);
    const notion = createNotionGateway({
      token: emulator.token,
      baseUrl: emulator.url,
      requestsPerMinute: LIMIT_PER_MINUTE,
      db,
      logger: createLogger({ level: "warn" }),
    });
    await Promise.all(
      Array.from({ length: REQUESTS }, () =>
        notion.read("query", (client) =>
          client.dataSources.query({ data_source_id: contacts.dataSourceId, page_size: 1 }),
        ),
      ),
    );
    db.close();
    oneProcess.remove();
    lines.push(
      row(
        `one process, ${REQUESTS} requests`,
        started,
        emulator.stats.requests.map((r) => r.at),
        emulator.stats.rateLimited,
      ),
    );
    // The emulator's window must be empty again before the second run.
    await new Promise((resolve) => setTimeout(resolve, 61_000));
    emulator.stats.reset();
    const shared = makeDataDir();
    const env = {
      NOTION_TOKEN: emulator.token,
      NOTION_BASE_URL: emulator.url,
      NOTION_CONTACTS_DB_ID: contacts.databaseId,
      NOTION_REQUESTS_PER_MINUTE: String(LIMIT_PER_MINUTE),
      DATA_DIR: shared.path,
      LOAD_COUNT: String(REQUESTS / 2),
    };
    const startedTwo = Date.now();
    await Promise.all([runWorker(env), runWorker(env)]);
    shared.remove();
    lines.push(
      row(
        `two processes, 2 x ${REQUESTS / 2} requests`,
        startedTwo,
        emulator.stats.requests.map((r) => r.at),
        emulator.stats.rateLimited,
      ),
    );
  } finally {
    await emulator.stop();
  }
  return lines;
}

function row(label: string, started: number, arrivals: number[], rateLimited: number): string {
  const firstWindow = arrivals.filter((at) => at - started < 60_000).length;
  const lastMs = Math.max(...arrivals) - started;
  // Notion's arithmetic: the first 180 at once, one more 60 s window for each further 180.
  const idealMs = Math.max(1, Math.ceil(arrivals.length / LIMIT_PER_MINUTE) - 1) * 60_000;
  return `  ${label.padEnd(34)} ${firstWindow} sent in the first 60 s; last at ${fixed(lastMs / 1000)} s vs ideal ${fixed(idealMs / 1000)} s = ${fixed(lastMs / idealMs)}x; ${rateLimited} x 429`;
}

function makeDataDir() {
  const path = mkdtempSync(join(tmpdir(), "crm-bench-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

function runWorker(env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, tsxArgs("scripts/bench/notion-load-worker.ts"), {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`load worker exited ${code}`))));
  });
}
