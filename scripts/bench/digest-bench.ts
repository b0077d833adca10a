import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONTACT, CONTACT_STATUSES, NEW_LEAD_STATUS } from "../../src/crm-schema/crm-schema.js";
import { startNotionEmulator, type NotionEmulator } from "@notion-crm/notion-emulator";
import { seedCrm } from "../lib/crm-seed.js";
import { sleep } from "../../src/util/sleep.js";
import { tsxArgs } from "../lib/run-ts-file.js";
import { postSignedLead } from "../lib/signed-post.js";
import { spawnServer, type SpawnedServer } from "../lib/spawn-server.js";
import { waitUntil } from "../lib/wait-until.js";
import { bulkBudgetOf, drainTimeMs } from "../../src/rate-limit/request-window.js";
import { fixed } from "./measure.js";

/** Notion's budget on Free and Plus, for any 60 s. */
const LIMIT_PER_MINUTE = 180;
/** One answer of the emulator: Notion's own round trip is of this order. */
const LATENCY_MS = 100;
const CONTACTS = 5_000;
const STALE_DATED = 1_000;
const STALE_NEVER = 200;
const STALE = STALE_DATED + STALE_NEVER;
const PAGE_SIZE = 100;
/** databases.retrieve (resolve the data source) and dataSources.retrieve (the schema check). */
const SETUP_CALLS = 2;
const BURST = 30;
/** A new lead without Activities: look the email up, create the contact. */
const CALLS_PER_LEAD = 2;
const FORM_SECRET = "bench-form-secret";
const MS_PER_DAY = 86_400_000;

type DigestRun = { wallMs: number; runMs: number; notionRequests: number; staleCount: string | undefined };

/**
 * `npm run stale-leads -- --once` over 5,000 contacts (1,200 stale) against
 * an emulator allowing 180 requests in any 60 s, 100 ms a round trip: alone,
 * then while a server process on the same DATA_DIR takes a burst of 30 new
 * leads. The digest's calls go one after another (each page needs the last
 * one's cursor), so its ideal is its round trips, plus a window for each
 * bulk budget past the first (the window arithmetic, `drainTimeMs`).
 */
export async function digestBench(): Promise<string[]> {
  const emulator = await startNotionEmulator({ requestsPerMinute: LIMIT_PER_MINUTE });
  const crm = seedCrm(emulator.admin);
  seedContacts(emulator, crm.contacts.dataSourceId);
  const dataDir = mkdtempSync(join(tmpdir(), "crm-bench-"));
  const env = {
    NOTION_TOKEN: emulator.token,
    NOTION_BASE_URL: emulator.url,
    NOTION_CONTACTS_DB_ID: crm.contacts.databaseId,
    NOTION_REQUESTS_PER_MINUTE: String(LIMIT_PER_MINUTE),
    DATA_DIR: dataDir,
    DIGEST_TZ: "UTC",
    LOG_LEVEL: "info",
  };
  const minimum = SETUP_CALLS + Math.ceil(STALE / PAGE_SIZE);
  const lines = [
    `Stale-lead digest over ${CONTACTS.toLocaleString("en-US")} contacts (${STALE.toLocaleString("en-US")} stale) against an emulator allowing ${LIMIT_PER_MINUTE} requests in any 60 s, ${LATENCY_MS} ms a round trip ` +
      `(minimum = ${SETUP_CALLS} setup calls + ceil(stale / ${PAGE_SIZE}) pages = ${minimum}; ideal = the calls' round trips one after another, plus a window per budget past the first)`,
  ];
  let server: SpawnedServer | undefined;
  try {
    emulator.faults.latencyMs = LATENCY_MS;
    emulator.stats.reset();
    const alone = await runDigest(env, ["--once"]);
    lines.push(
      `  alone                 ${alone.notionRequests} Notion calls (minimum ${minimum}); digest ${fixed(alone.runMs / 1000, 1)} s vs ideal ${fixed(digestIdeal(alone.notionRequests) / 1000, 1)} s = ${fixed(alone.runMs / digestIdeal(alone.notionRequests))}x ` +
        `(process ${fixed(alone.wallMs / 1000, 1)} s with startup); counted ${alone.staleCount}; ${emulator.stats.rateLimited} x 429`,
    );

    server = await spawnServer({ ...env, FORM_SECRET, PORT: "0" });
    await sleep(2_000); // the server's start-up schema check is not part of the burst
    emulator.stats.reset();
    const started = Date.now();
    const leadsIn = (async () => {
      await Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          postSignedLead(server!.url, { email: `burst${i}@example.com`, name: `Burst ${i}` }, FORM_SECRET),
        ),
      );
      await waitUntil(() => emulator.admin.listPages(crm.contacts.dataSourceId).length >= CONTACTS + BURST, {
        what: "the leads to reach Notion",
        timeoutMs: 180_000,
        intervalMs: 50,
      });
      return Date.now() - started;
    })();
    const [shared, leadsMs] = await Promise.all([runDigest(env, ["--once", "--force"]), leadsIn]);
    const calls = emulator.stats.requests.length;
    // The leads (live) and the digest (bulk) fit one window together: neither waits for the window, the leads go first.
    const leadsIdealMs = CALLS_PER_LEAD * LATENCY_MS + drainTimeMs(calls, LIMIT_PER_MINUTE);
    lines.push(
      `  with ${BURST} leads arriving  ${shared.notionRequests} digest calls (minimum ${minimum}); digest ${fixed(shared.runMs / 1000, 1)} s vs ideal ${fixed(digestIdeal(shared.notionRequests) / 1000, 1)} s = ${fixed(shared.runMs / digestIdeal(shared.notionRequests))}x; ` +
        `the ${BURST} leads in Notion in ${fixed(leadsMs / 1000, 1)} s vs ideal ${fixed(leadsIdealMs / 1000, 1)} s (${CALLS_PER_LEAD} round trips each, in parallel); all ${calls} calls in one window; counted ${shared.staleCount}; ${emulator.stats.rateLimited} x 429`,
    );
    return lines;
  } finally {
    await server?.kill("SIGTERM");
    await emulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The digest alone is bulk work: its calls one after another, and the bulk budget per window. */
const digestIdeal = (calls: number) => calls * LATENCY_MS + drainTimeMs(calls, bulkBudgetOf(LIMIT_PER_MINUTE));

function seedContacts(emulator: NotionEmulator, dataSourceId: string): void {
  const now = Date.now();
  const statuses = CONTACT_STATUSES.filter((status) => status !== NEW_LEAD_STATUS);
  for (let i = 0; i < CONTACTS; i++) {
    const stale = i < STALE;
    const status = stale || i < 3_000 ? NEW_LEAD_STATUS : statuses[i % statuses.length]!;
    // Stale: 1,000 dated 31-330 days back, then 200 never contacted. Others: recent new leads, or any date and another status.
    const daysBack =
      i < STALE_DATED
        ? 31 + (i % 300)
        : i < STALE
          ? undefined
          : status === NEW_LEAD_STATUS
            ? i % 29
            : i % 2 === 0
              ? 400
              : undefined;
    emulator.admin.insertPage(
      dataSourceId,
      {
        [CONTACT.name]: { title: [{ text: { content: `Contact ${i}` } }] },
        [CONTACT.email]: { email: `contact${i}@example.com` },
        [CONTACT.status]: { select: { name: status } },
        ...(daysBack !== undefined && {
          [CONTACT.lastContacted]: { date: { start: new Date(now - daysBack * MS_PER_DAY).toISOString() } },
        }),
      },
      { createdTime: now - 730 * MS_PER_DAY + ((i * 7_919) % CONTACTS) * 60_000 * 200 },
    );
  }
}

/** Runs the real command in its own process; the message goes to the log (no SLACK_WEBHOOK_URL). */
function runDigest(env: Record<string, string>, args: string[]): Promise<DigestRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, tsxArgs("scripts/stale-leads.ts", args), {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const lines = stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const finished = lines.find((line) => line["msg"] === "stale-lead digest finished");
      const slack = lines.find((line) => typeof line["slack"] === "string");
      if (code !== 0 || finished === undefined) return reject(new Error(`digest exited ${code}:\n${stdout}`));
      resolve({
        wallMs: Date.now() - started,
        runMs: Number(finished["ms"]),
        notionRequests: Number(finished["notionRequests"]),
        staleCount: /\*([\d,]+) stale leads\*/.exec(String(slack?.["slack"]))?.[1],
      });
    });
  });
}
