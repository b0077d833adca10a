import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEAL, DEAL_STAGES } from "../../src/crm-schema/crm-schema.js";
import { toDealSnapshot } from "../../src/report/deal-snapshot.js";
import { computePipelineReport } from "../../src/report/pipeline-report.js";
import { renderReportChart } from "../../src/report/chart/render-report-chart.js";
import { REPO_ROOT, tsxArgs } from "../lib/run-ts-file.js";
import { startBenchCrm } from "./bench-crm.js";
import { fixed, percentile } from "./measure.js";

const LIMIT_PER_SECOND = 3;
const DEALS = 5_000;
const PAGE_SIZE = 100;
/** databases.retrieve (resolve the data source) and dataSources.retrieve (the schema check). */
const SETUP_CALLS = 2;
const CHART_RENDERS = 5;
const MS_PER_DAY = 86_400_000;

/**
 * `npm run report -- --once --out` over 5,000 deals against an emulator
 * limited to 3 req/s (Notion calls and time against the ideal), the chart's
 * render time, and the server's RSS next to what the chart's libraries
 * would add to a process that loaded them (the server does not: a test
 * checks its module graph).
 */
export async function reportBench(): Promise<string[]> {
  const bench = await startBenchCrm(LIMIT_PER_SECOND);
  const { emulator, crm, dataDir } = bench;
  try {
    const now = Date.now();
    for (let i = 0; i < DEALS; i++) {
      const edited = new Date(now - (i % 120) * MS_PER_DAY).toISOString();
      emulator.admin.insertPage(
        crm.deals.dataSourceId,
        {
          [DEAL.name]: { title: [{ text: { content: `Deal ${i}` } }] },
          [DEAL.stage]: { select: { name: DEAL_STAGES[i % DEAL_STAGES.length]! } },
          [DEAL.value]: { number: 1_000 + (i % 50) * 250 },
        },
        { createdTime: new Date(now - (150 + (i % 30)) * MS_PER_DAY).toISOString(), lastEditedTime: edited },
      );
    }
    const out = join(dataDir, "chart.png");
    emulator.stats.reset();
    const run = await runReport(
      {
        NOTION_TOKEN: emulator.token,
        NOTION_BASE_URL: emulator.url,
        NOTION_DEALS_DB_ID: crm.deals.databaseId,
        NOTION_RATE_LIMIT_RPS: String(LIMIT_PER_SECOND),
        DATA_DIR: dataDir,
        DIGEST_TZ: "UTC",
        LOG_LEVEL: "info",
      },
      ["--once", "--out", out],
    );
    const calls = emulator.stats.requests.length;
    const minimum = SETUP_CALLS + Math.ceil(DEALS / PAGE_SIZE);
    const idealMs = (calls / LIMIT_PER_SECOND) * 1000;
    const lines = [
      `Pipeline report over ${DEALS.toLocaleString("en-US")} deals against an emulator limited to ${LIMIT_PER_SECOND} req/s ` +
        `(minimum = ${SETUP_CALLS} setup calls + ceil(deals / ${PAGE_SIZE}) pages = ${minimum}; ideal = calls / ${LIMIT_PER_SECOND} per s)`,
      `  report --once --out    ${calls} Notion calls (minimum ${minimum}; ${run.queries} queries); report ${fixed(run.runMs / 1000, 1)} s vs ideal ${fixed(idealMs / 1000, 1)} s = ${fixed(run.runMs / idealMs)}x ` +
        `(process ${fixed(run.wallMs / 1000, 1)} s with startup); ${emulator.stats.rateLimited} x 429; chart ${Math.round(readFileSync(out).length / 1024)} KB`,
    ];

    const report = computePipelineReport({
      deals: emulator.admin.listPages(crm.deals.dataSourceId).map(toDealSnapshot),
      history: new Map(),
      stageOrder: DEAL_STAGES,
      stuckAfterDays: 21,
      leads: [],
      nowMs: now,
    });
    const renders: number[] = [];
    for (let i = 0; i < CHART_RENDERS; i++) {
      const started = performance.now();
      await renderReportChart(report, { valueFormat: "dollar", timeZone: "UTC" });
      renders.push(performance.now() - started);
    }
    lines.push(
      `  chart render           first ${fixed(renders[0]!, 0)} ms (loads Vega), then median ${fixed(percentile(renders.slice(1), 50), 0)} ms over ${CHART_RENDERS - 1}`,
    );

    const server = await bench.startServer({ NOTION_DEALS_DB_ID: crm.deals.databaseId }, { compiled: true });
    const serverRss = rssMb(server.child.pid!);
    const chartCost = await chartLibrariesRssMb();
    lines.push(
      `  server RSS at start    ${fixed(serverRss, 0)} MB with none of the chart's libraries loaded; loading them (vega, vega-lite, resvg, the font) adds ${fixed(chartCost, 0)} MB to a process that does`,
    );
    return lines;
  } finally {
    await bench.stop();
  }
}

type ReportRun = { wallMs: number; runMs: number; queries: number };

async function runReport(env: Record<string, string>, args: string[]): Promise<ReportRun> {
  const started = Date.now();
  const child = spawn(process.execPath, tsxArgs("scripts/report.ts", args), {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`npm run report failed (${code}): ${stderr}`);
  const done = stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { msg?: string; ms?: number; notionQueries?: number })
    .find((line) => line.msg === "pipeline report finished");
  return { wallMs: Date.now() - started, runMs: done?.ms ?? Number.NaN, queries: done?.notionQueries ?? Number.NaN };
}

/** RSS a fresh Node process gains by importing the chart module and drawing once. */
async function chartLibrariesRssMb(): Promise<number> {
  const script = `
    const before = process.memoryUsage().rss;
    const { renderReportChart } = await import("./src/report/chart/render-report-chart.ts");
    const { computePipelineReport } = await import("./src/report/pipeline-report.ts");
    await renderReportChart(computePipelineReport({ deals: [], history: new Map(), stageOrder: ["new"], stuckAfterDays: 21, leads: [], nowMs: Date.now() }), { valueFormat: "dollar", timeZone: "UTC" });
    process.stdout.write(String((process.memoryUsage().rss - before) / 1048576));`;
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), "--input-type=module", "-e", script], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.on("close", resolve));
  return Number(out);
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match?.[1] === undefined ? Number.NaN : Number(match[1]) / 1024;
}
