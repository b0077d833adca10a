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
import { achievedRate, fixed } from "./measure.js";

const LIMIT_PER_SECOND = 3;
const REQUESTS = 30;

/** Requests per second the gateway achieves against an emulator limited to 3/s, in one process and in two. */
export async function gatewayBench(): Promise<string[]> {
  const emulator = await startNotionEmulator({ rateLimitPerSecond: LIMIT_PER_SECOND });
  const { contacts } = seedCrm(emulator.admin);
  const lines = [
    `Notion gateway against an emulator limited to ${LIMIT_PER_SECOND} req/s (ratio = achieved / allowed; aim >= 0.95, zero 429s)`,
  ];
  try {
    const oneProcess = makeDataDir();
    const db = openStore(oneProcess.path);
    const notion = createNotionGateway({
      token: emulator.token,
      baseUrl: emulator.url,
      ratePerSecond: LIMIT_PER_SECOND,
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
        emulator.stats.requests.map((r) => r.at),
        emulator.stats.rateLimited,
      ),
    );

    emulator.stats.reset();
    const shared = makeDataDir();
    const env = {
      NOTION_TOKEN: emulator.token,
      NOTION_BASE_URL: emulator.url,
      NOTION_CONTACTS_DB_ID: contacts.databaseId,
      NOTION_RATE_LIMIT_RPS: String(LIMIT_PER_SECOND),
      DATA_DIR: shared.path,
      LOAD_COUNT: String(REQUESTS / 2),
    };
    await Promise.all([runWorker(env), runWorker(env)]);
    shared.remove();
    lines.push(
      row(
        `two processes, 2 x ${REQUESTS / 2} requests`,
        emulator.stats.requests.map((r) => r.at),
        emulator.stats.rateLimited,
      ),
    );
  } finally {
    await emulator.stop();
  }
  return lines;
}

function row(label: string, arrivals: number[], rateLimited: number): string {
  const rate = achievedRate(arrivals);
  return `  ${label.padEnd(34)} ${fixed(rate)} req/s = ${fixed(rate / LIMIT_PER_SECOND)} of the limit, ${rateLimited} x 429`;
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
