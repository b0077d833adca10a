import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { ConfigWith } from "../config/load-config.js";
import type { Logger } from "../log/create-logger.js";
import { runScheduledCommand, type ScheduledCommandIo } from "../schedule/scheduled-command.js";
import { isSlackAppMode } from "../slack/slack-app-from-config.js";
import { runReport, type RenderChart, type ReportDeps, type ReportOutcome } from "./run-report.js";

/** What the report cannot run without: it reads Deals only. */
export const REPORT_REQUIRED_SETTINGS = ["NOTION_TOKEN", "NOTION_DEALS_DB_ID"] as const;
export type ReportConfig = ConfigWith<(typeof REPORT_REQUIRED_SETTINGS)[number]>;

export type ReportArgs = { once: boolean; out: string | undefined };

export function parseReportArgs(argv: readonly string[]): ReportArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: { once: { type: "boolean", default: false }, out: { type: "string" } },
  });
  if (values.out !== undefined && values.out.trim() === "")
    throw new Error("--out needs a file name, e.g. --out chart.png");
  return { once: values.once, out: values.out };
}

// The chart's libraries (Vega, resvg, a font) load only when a chart is drawn: never in the server.
const renderChart: RenderChart = async (report, options) =>
  (await import("./chart/render-report-chart.js")).renderReportChart(report, options);

/**
 * `npm run report`: with --once one report now (exit 0 once Slack took it;
 * --out also writes the chart); without it, the report on REPORT_CRON in
 * DIGEST_TZ until stopped, with queued Slack messages sent in the background.
 */
export async function reportCommand(
  args: ReportArgs,
  config: ReportConfig,
  logger: Logger,
  io: ScheduledCommandIo,
): Promise<number> {
  return runScheduledCommand({ once: args.once, config, logger, io }, ({ db, notion, outbox, sender, now }) => {
    const deps: ReportDeps = {
      notion,
      dealsDatabaseId: config.NOTION_DEALS_DB_ID,
      db,
      outbox,
      sender,
      logger,
      timeZone: config.DIGEST_TZ,
      stuckAfterDays: config.STUCK_DEAL_DAYS,
      probabilities: config.STAGE_PROBABILITIES,
      appMode: isSlackAppMode(config),
      renderChart,
      ...(now && { now }),
    };
    const finished = async (outcome: ReportOutcome, startedAt: number) => {
      if (args.out !== undefined && outcome.chart !== undefined) {
        await writeFile(args.out, outcome.chart);
        io.print(`Chart written to ${args.out}`);
      }
      logger.info(
        { deals: outcome.report.dealCount, notionQueries: outcome.notionQueries, ms: Date.now() - startedAt },
        "pipeline report finished",
      );
    };
    const clock = now ?? Date.now;
    return {
      schedule: {
        label: "pipeline report",
        area: "report-schedule",
        cronExpression: config.REPORT_CRON,
        timeZone: config.DIGEST_TZ,
      },
      noun: "report",
      databases: { deals: config.NOTION_DEALS_DB_ID },
      runOnce: async () => {
        const startedAt = Date.now();
        const outcome = await runReport(deps, { key: `report:once:${clock()}`, wantChart: args.out !== undefined });
        await finished(outcome, startedAt);
      },
      runScheduled: async () => {
        const startedAt = Date.now();
        // One key per firing minute: two processes on one DATA_DIR post it once.
        const key = `report:scheduled:${new Date(Math.floor(clock() / 60_000) * 60_000).toISOString()}`;
        const outcome = await runReport(deps, { key, wantChart: args.out !== undefined, slackAttempts: 1 });
        await finished(outcome, startedAt);
      },
    };
  });
}
