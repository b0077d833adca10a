import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNotionEmulator } from "@notion-crm/notion-emulator";
import { DEFAULT_DEALS_POLL_SECONDS } from "../../src/config/settings.js";
import { DEAL, DEAL_STAGE } from "../../src/crm-schema/crm-schema.js";
import { sleep } from "../../src/util/sleep.js";
import { seedCrm } from "../lib/crm-seed.js";
import { spawnServer, type SpawnedServer } from "../lib/spawn-server.js";
import { waitUntil } from "../lib/wait-until.js";
import { fixed, percentile } from "./measure.js";

/** Notion's budget on Free and Plus, for any 60 s. */
const LIMIT_PER_MINUTE = 180;
/** A short interval, so an hour's idle polls and many latencies fit in a minute; results are scaled. */
const POLL_SECONDS = 2;
const IDLE_SECONDS = 20;
const MOVES = 12;
const BULK = 250;
const LONG_AGO = "2024-01-01T00:00:00.000Z";
const QUERY = /^\/v1\/data_sources\/[^/]+\/query$/;

type PollLine = { msg: string; deals: number; queries: number; messages: number; time: number };

/**
 * The deal poll with the webhook off, against an emulator allowing 180 requests in any 60 s:
 * what an idle hour costs, how long a stage change takes to reach Slack, and
 * what 250 deals edited at once cost.
 */
export async function pollBench(): Promise<string[]> {
  const emulator = await startNotionEmulator({ requestsPerMinute: LIMIT_PER_MINUTE });
  const crm = seedCrm(emulator.admin);
  const slack = await startSlackClock();
  const dataDir = mkdtempSync(join(tmpdir(), "crm-bench-"));
  let server: SpawnedServer | undefined;
  const deal = (i: number) =>
    emulator.admin.insertPage(
      crm.deals.dataSourceId,
      {
        [DEAL.name]: { title: [{ text: { content: `Deal ${i}` } }] },
        [DEAL.stage]: { select: { name: DEAL_STAGE.proposal } },
        [DEAL.value]: { number: 1000 * i },
      },
      // Edited long ago: outside every poll's window until edited again.
      { createdTime: LONG_AGO, lastEditedTime: LONG_AGO },
    ).id;
  try {
    const deals = Array.from({ length: BULK }, (_, i) => deal(i));
    server = await spawnServer({
      NOTION_TOKEN: emulator.token,
      NOTION_BASE_URL: emulator.url,
      NOTION_CONTACTS_DB_ID: crm.contacts.databaseId,
      NOTION_DEALS_DB_ID: crm.deals.databaseId,
      NOTION_REQUESTS_PER_MINUTE: String(LIMIT_PER_MINUTE),
      DEALS_POLL_SECONDS: String(POLL_SECONDS),
      SLACK_WEBHOOK_URL: slack.url,
      FORM_SECRET: "bench",
      DATA_DIR: dataDir,
      PORT: "0",
    });
    const polls = () => pollLines(server!.output());
    await waitUntil(() => polls().length >= 1, { what: "the first poll" });
    const lines = [
      `Deal poll, webhook off, DEALS_POLL_SECONDS=${POLL_SECONDS} (scaled to the default ${DEFAULT_DEALS_POLL_SECONDS}), ${BULK} deals, emulator allowing ${LIMIT_PER_MINUTE} requests in any 60 s`,
      `  first poll on a new DATA_DIR: ${describe(polls()[0]!)}`,
    ];

    // Idle: nothing edited.
    emulator.stats.reset();
    const idleFrom = polls().length;
    await sleep(IDLE_SECONDS * 1000);
    const idle = polls().slice(idleFrom);
    const perPoll = emulator.stats.requests.length / Math.max(1, idle.length);
    const perHour = (3600 / DEFAULT_DEALS_POLL_SECONDS) * perPoll;
    lines.push(
      `  idle: ${emulator.stats.requests.length} Notion requests in ${idle.length} polls (${fixed(perPoll)} per poll) → ${fixed(perHour, 0)} requests per idle hour at ${DEFAULT_DEALS_POLL_SECONDS} s`,
    );

    // Latency: a stage change at a random moment in the poll cycle, with no event sent.
    const latencies: number[] = [];
    for (let i = 0; i < MOVES; i++) {
      await sleep(Math.random() * POLL_SECONDS * 1000);
      const before = slack.times.length;
      const movedAt = Date.now();
      emulator.admin.updatePage(deals[i]!, {
        [DEAL.stage]: { select: { name: i % 2 === 0 ? DEAL_STAGE.won : DEAL_STAGE.negotiation } },
      });
      await waitUntil(() => slack.times.length > before, { what: "the Slack message", intervalMs: 10 });
      latencies.push((slack.times[before]! - movedAt) / (POLL_SECONDS * 1000));
    }
    lines.push(
      `  stage change → Slack, as a multiple of the poll interval (${MOVES} moves): mean ${fixed(latencies.reduce((a, b) => a + b, 0) / MOVES)}x, p50 ${fixed(percentile(latencies, 50))}x, max ${fixed(Math.max(...latencies))}x (goal ≤ 1.2x)`,
    );

    // 250 deals edited at once (a bulk edit in Notion).
    await sleep(POLL_SECONDS * 1000);
    emulator.stats.reset();
    const bulkFrom = polls().length;
    for (const id of deals) emulator.admin.updatePage(id, { [DEAL.value]: { number: 1 } });
    await waitUntil(
      () =>
        polls()
          .slice(bulkFrom)
          .some((poll) => poll.deals >= BULK),
      { what: "the bulk poll" },
    );
    const bulk = polls()
      .slice(bulkFrom)
      .find((poll) => poll.deals >= BULK)!;
    const pageReads = emulator.stats.count({ method: "GET", path: /^\/v1\/pages\// });
    lines.push(
      `  ${BULK} deals edited at once: noticed by one poll with ${bulk.queries} queries (${Math.ceil(BULK / 100)} pages of 100) and ${pageReads} page reads; ${emulator.stats.count({ path: QUERY })} queries in all since the edit, ${emulator.stats.rateLimited} x 429`,
    );
    return lines;
  } finally {
    await server?.kill("SIGTERM");
    await slack.stop();
    await emulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function describe(poll: PollLine): string {
  return `${poll.deals} deals read with ${poll.queries} queries, ${poll.messages} messages`;
}

function pollLines(output: string): PollLine[] {
  return output
    .split("\n")
    .filter((line) => line.includes('"msg":"deal poll done"'))
    .map((line) => JSON.parse(line) as PollLine);
}

/** A loopback Slack that only notes when each message arrived. */
async function startSlackClock(): Promise<{ url: string; times: number[]; stop(): Promise<void> }> {
  const times: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      times.push(Date.now());
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/BENCH/BENCH/bench`,
    times,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
