import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEAL, DEAL_STAGE } from "../../src/crm-schema/crm-schema.js";
import { startNotionEmulator } from "@notion-crm/notion-emulator";
import { seedCrm } from "../lib/crm-seed.js";
import { sleep } from "../../src/util/sleep.js";
import { pageEvent, postNotionEvent } from "../lib/signed-post.js";
import { spawnServer, type SpawnedServer } from "../lib/spawn-server.js";
import { fixed, percentile } from "./measure.js";

/** Notion's budget on Free and Plus, for any 60 s. */
const LIMIT_PER_MINUTE = 180;
const EVENTS = 50;
const SECRET = "secret_bench_webhook_token";

/** A bulk edit's flood of Notion events: for one deal, then for 50 deals. */
export async function webhookBench(): Promise<string[]> {
  const emulator = await startNotionEmulator({ requestsPerMinute: LIMIT_PER_MINUTE });
  const crm = seedCrm(emulator.admin);
  const dataDir = mkdtempSync(join(tmpdir(), "crm-bench-"));
  let server: SpawnedServer | undefined;
  const deal = (i: number) =>
    emulator.admin.insertPage(crm.deals.dataSourceId, {
      [DEAL.name]: { title: [{ text: { content: `Deal ${i}` } }] },
      [DEAL.stage]: { select: { name: DEAL_STAGE.won } },
      [DEAL.value]: { number: 1000 * i },
    }).id;
  try {
    server = await spawnServer({
      NOTION_TOKEN: emulator.token,
      NOTION_BASE_URL: emulator.url,
      NOTION_CONTACTS_DB_ID: crm.contacts.databaseId,
      NOTION_DEALS_DB_ID: crm.deals.databaseId,
      NOTION_REQUESTS_PER_MINUTE: String(LIMIT_PER_MINUTE),
      NOTION_WEBHOOK_SECRET: SECRET,
      FORM_SECRET: "bench",
      DATA_DIR: dataDir,
      PORT: "0",
    });
    const lines = [
      `POST /notion-webhook floods of ${EVENTS} events against an emulator allowing ${LIMIT_PER_MINUTE} requests in any 60 s (page reads spent; event answer time)`,
    ];
    const oneDeal = deal(0);
    const manyDeals = Array.from({ length: EVENTS }, (_, i) => deal(i + 1));
    for (const [label, pages] of [
      [`${EVENTS} events, one deal`, Array.from({ length: EVENTS }, () => oneDeal)],
      [`${EVENTS} events, ${EVENTS} deals`, manyDeals],
    ] as const) {
      emulator.stats.reset();
      const started = Date.now();
      const answers = await Promise.all(
        pages.map((pageId) =>
          postNotionEvent(server!.url, pageEvent("page.properties_updated", pageId, crm.deals), SECRET),
        ),
      );
      if (answers.some((answer) => answer.status !== 200)) throw new Error("the webhook refused an event");
      const times = answers.map((answer) => answer.ms);
      const settled = await waitForQuiet(() => emulator.stats.requests.length);
      const reads = emulator.stats.count({ method: "GET", path: /^\/v1\/pages\// });
      lines.push(
        `  ${label.padEnd(22)} ${reads} page reads (${fixed(reads / EVENTS)} per event), settled in ${fixed((settled - started) / 1000, 1)} s; ` +
          `answers p50 ${fixed(percentile(times, 50), 0)} ms, p99 ${fixed(percentile(times, 99), 0)} ms; ${emulator.stats.rateLimited} x 429`,
      );
    }
    return lines;
  } finally {
    await server?.kill("SIGTERM");
    await emulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Resolves with the time of the last Notion request once none has come for 3 s. */
async function waitForQuiet(count: () => number): Promise<number> {
  let last = count();
  let lastChange = Date.now();
  for (;;) {
    await sleep(100);
    if (count() !== last) {
      last = count();
      lastChange = Date.now();
    } else if (Date.now() - lastChange > 3_000) {
      return lastChange;
    }
  }
}
