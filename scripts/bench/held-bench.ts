import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNotionEmulator } from "@notion-crm/notion-emulator";
import { loadConfig } from "../../src/config/load-config.js";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { createLogger } from "../../src/log/create-logger.js";
import { DEFAULT_HOLD_RETRY_MS } from "../../src/notion/create-hold.js";
import { SERVER_REQUIRED_SETTINGS } from "../../src/config/settings.js";
import { startCrmServer } from "../../src/server/start-crm-server.js";
import { openStore } from "../../src/store/open-store.js";
import { seedCrm } from "../lib/crm-seed.js";
import { postSignedLead } from "../lib/signed-post.js";
import { waitUntil } from "../lib/wait-until.js";
import { fixed } from "./measure.js";

/** Notion's budget on Free and Plus, for any 60 s. */
const LIMIT_PER_MINUTE = 180;
const HELD_LEADS = 30;
/** The bench's hold interval; production's is NOTION_HOLD_RETRY_SECONDS (DEFAULT_HOLD_RETRY_MS by default). */
const HOLD_RETRY_MS = 4_000;
const HELD_INTERVALS = 5;
const PRODUCTION_HOLD_RETRY_MS = DEFAULT_HOLD_RETRY_MS;
const FORM_SECRET = "bench-form-secret";

/**
 * Notion refusing creates (the Free plan's block limit, simulated by the
 * emulator) while 30 new leads arrive, then lifted: create attempts while
 * held, and how long the held leads take to arrive after the lift.
 */
export async function heldBench(): Promise<string[]> {
  const emulator = await startNotionEmulator({ requestsPerMinute: LIMIT_PER_MINUTE });
  const crm = seedCrm(emulator.admin);
  const dataDir = mkdtempSync(join(tmpdir(), "crm-bench-"));
  const config = loadConfig(
    {
      NOTION_TOKEN: emulator.token,
      NOTION_BASE_URL: emulator.url,
      NOTION_CONTACTS_DB_ID: crm.contacts.databaseId,
      NOTION_ACTIVITIES_DB_ID: crm.activities.databaseId,
      NOTION_REQUESTS_PER_MINUTE: String(LIMIT_PER_MINUTE),
      FORM_SECRET,
      DATA_DIR: dataDir,
      PORT: "0",
    },
    { require: SERVER_REQUIRED_SETTINGS, envFile: false },
  );
  const server = await startCrmServer(config, createLogger({ level: "silent" }), { holdRetryMs: HOLD_RETRY_MS });
  const db = openStore(dataDir);
  try {
    const queue = createLeadQueue(db);
    emulator.admin.limitBlocks(0);
    const creates = () => emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/ });
    const heldAt = Date.now();
    const statuses = [];
    for (let i = 0; i < HELD_LEADS; i++) {
      statuses.push((await postSignedLead(server.url, { email: `held${i}@example.com` }, FORM_SECRET)).status);
    }
    await waitUntil(() => queue.heldCount() === HELD_LEADS, { what: "the leads to be held", timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, HOLD_RETRY_MS * HELD_INTERVALS - (Date.now() - heldAt)));
    const heldMs = Date.now() - heldAt;
    const attemptsWhileHeld = creates();

    emulator.admin.liftBlockLimit();
    const liftedAt = Date.now();
    await waitUntil(() => (queue.counts().done ?? 0) === HELD_LEADS, {
      what: "the held leads to arrive",
      timeoutMs: 300_000,
      intervalMs: 20,
    });
    const lastStoredMs = Date.now() - liftedAt;
    const finishedTimes = db
      .prepare<[], { at: number }>("SELECT min(finished_at_ms) AS at FROM lead_submissions WHERE state = 'done'")
      .get();
    const probeWaitMs = (finishedTimes?.at ?? liftedAt) - liftedAt;
    const drainMs = lastStoredMs - probeWaitMs;
    const perInterval = attemptsWhileHeld / (heldMs / HOLD_RETRY_MS);
    return [
      `held: ${HELD_LEADS} new leads while Notion refuses creates (emulator allowing ${LIMIT_PER_MINUTE} requests in any 60 s, hold interval ${HOLD_RETRY_MS / 1000} s)`,
      `  answers: ${statuses.filter((status) => status === 200 || status === 202).length}/${HELD_LEADS} 2xx`,
      `  create attempts while held: ${attemptsWhileHeld} in ${fixed(heldMs / 1000, 1)} s = ${fixed(perInterval)} per hold interval` +
        ` (at the default ${PRODUCTION_HOLD_RETRY_MS / 1000} s: ${fixed(perInterval * (3_600_000 / PRODUCTION_HOLD_RETRY_MS), 1)} per hour, limit 6)`,
      `  lift -> last held lead stored: ${fixed(lastStoredMs / 1000, 1)} s = ${fixed(lastStoredMs / HOLD_RETRY_MS)} x the hold interval` +
        ` (waiting for the probe ${fixed(probeWaitMs / 1000, 1)} s, then ${HELD_LEADS} leads in ${fixed(drainMs / 1000, 1)} s)`,
      `  at the default ${PRODUCTION_HOLD_RETRY_MS / 1000} s interval: at most ${fixed((PRODUCTION_HOLD_RETRY_MS + drainMs) / PRODUCTION_HOLD_RETRY_MS)} x the interval for ${HELD_LEADS} leads`,
    ];
  } finally {
    db.close();
    await server.stop();
    await emulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
