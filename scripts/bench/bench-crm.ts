import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startNotionEmulator, type NotionEmulator } from "@notion-crm/notion-emulator";
import { seedCrm, type CrmSeed } from "../lib/crm-seed.js";
import { REPO_ROOT } from "../lib/run-ts-file.js";
import { spawnServer, type SpawnedServer } from "../lib/spawn-server.js";
import { waitUntil } from "../lib/wait-until.js";

export const BENCH_FORM_SECRET = "bench-form-secret";

/** An emulator at Notion's budget with the CRM seeded, a state directory, and the server a bench runs against. */
export type BenchCrm = {
  emulator: NotionEmulator;
  crm: CrmSeed;
  dataDir: string;
  /**
   * Starts the server as its own process with Contacts and Activities; `extra` adds or replaces settings.
   * Resolves once its start-up schema check has been answered: the server listens before, and a burst
   * posted at once would otherwise measure that check's round trips too.
   */
  startServer(extra?: Record<string, string>, options?: { compiled?: boolean }): Promise<SpawnedServer>;
  /** Stops the server (if started) and the emulator, and removes the state directory. */
  stop(): Promise<void>;
};

/** `requestsPerMinute`: the emulator's budget for any 60 s, and the server's NOTION_REQUESTS_PER_MINUTE. */
export async function startBenchCrm(requestsPerMinute: number): Promise<BenchCrm> {
  const emulator = await startNotionEmulator({ requestsPerMinute });
  const crm = seedCrm(emulator.admin);
  const dataDir = mkdtempSync(join(tmpdir(), "crm-bench-"));
  let server: SpawnedServer | undefined;
  return {
    emulator,
    crm,
    dataDir,
    async startServer(extra = {}, { compiled = false } = {}) {
      if (compiled) buildProductionOnce();
      const env = {
        NOTION_TOKEN: emulator.token,
        NOTION_BASE_URL: emulator.url,
        NOTION_CONTACTS_DB_ID: crm.contacts.databaseId,
        NOTION_ACTIVITIES_DB_ID: crm.activities.databaseId,
        NOTION_REQUESTS_PER_MINUTE: String(requestsPerMinute),
        FORM_SECRET: BENCH_FORM_SECRET,
        DATA_DIR: dataDir,
        PORT: "0",
        LOG_LEVEL: "info",
        ...extra,
      };
      server = await spawnServer(env, { compiled });
      let seen = -1;
      await waitUntil(() => startUpSettled(emulator, seen, (count) => (seen = count)), {
        what: "the server's start-up schema check",
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      return server;
    },
    async stop() {
      await server?.kill("SIGTERM");
      await emulator.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The schema check (a databases.retrieve and a dataSources.retrieve for each of the two databases) is
 * answered, and no request came since the last look (`seen`, updated through `see`).
 */
function startUpSettled(emulator: NotionEmulator, seen: number, see: (count: number) => void): boolean {
  const { requests } = emulator.stats;
  see(requests.length);
  const checked = emulator.stats.count({ method: "GET", path: /^\/v1\/data_sources\// }) >= 2;
  return checked && requests.length === seen && requests.every((r) => r.status !== 0);
}

let built = false;

/** The production build, as `npm start` runs it (its memory is what a small VPS must hold); once per bench run. */
export function buildProductionOnce(): void {
  if (built) return;
  execFileSync(process.execPath, [resolve(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
  built = true;
}
