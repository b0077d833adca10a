import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { ConfigWith } from "../config/load-config.js";
import type { Logger } from "../log/create-logger.js";
import { assertCrmSchema } from "../notion/check-crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import { notionGatewayFromConfig, type NotionGatewayOptions } from "../notion/notion-gateway.js";
import { scheduleCron } from "../schedule/schedule-cron.js";
import { isSlackAppMode, slackDestinationsFromConfig } from "../slack/slack-app-from-config.js";
import { isSlackUndelivered } from "../slack/slack-delivery-error.js";
import { createSlackOutbox } from "../slack/slack-outbox.js";
import { createSlackSender } from "../slack/slack-sender.js";
import { openStore } from "../store/open-store.js";
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

export type ReportOverrides = Partial<
  Pick<NotionGatewayOptions, "backoffBaseMs" | "attemptTimeoutMs" | "maxAttempts">
> & {
  slackRetryBaseMs?: number;
  now?: () => number;
};

export type ReportIo = {
  /** Where the command says what it wrote (--out). */
  print: (text: string) => void;
  /** Stops the scheduler (SIGTERM, SIGINT) and cuts a run in progress short. */
  signal: AbortSignal;
  overrides?: ReportOverrides;
};

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
  { print, signal, overrides = {} }: ReportIo,
): Promise<number> {
  const { slackRetryBaseMs, now, ...gatewayOverrides } = overrides;
  const db = openStore(config.DATA_DIR);
  try {
    const notion = notionGatewayFromConfig(config, { db, logger, signal, lane: "bulk", ...gatewayOverrides });
    const outbox = createSlackOutbox(db);
    const sender = createSlackSender({
      outbox,
      db,
      ...slackDestinationsFromConfig(config, { db, notion, logger }),
      logger,
      ...(slackRetryBaseMs !== undefined && { retryBaseMs: slackRetryBaseMs }),
    });
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
        print(`Chart written to ${args.out}`);
      }
      logger.info(
        { deals: outcome.report.dealCount, notionQueries: outcome.notionQueries, ms: Date.now() - startedAt },
        "pipeline report finished",
      );
    };
    const clock = now ?? Date.now;

    if (args.once) {
      const startedAt = Date.now();
      const outcome = await runReport(deps, { key: `report:once:${clock()}`, wantChart: args.out !== undefined });
      await finished(outcome, startedAt);
      return 0;
    }

    // Notion being down now is no reason not to wait for Monday; a wrong schema or token is.
    await assertCrmSchema(notion, { deals: config.NOTION_DEALS_DB_ID }).catch((error: unknown) => {
      if (!isNotionGatewayError(error) || !error.retryable) throw error;
      logger.warn({ err: error }, "Notion is unreachable now; each scheduled report checks again");
    });
    sender.start();
    const schedule = scheduleCron({
      label: "pipeline report",
      area: "report-schedule",
      cronExpression: config.REPORT_CRON,
      timeZone: config.DIGEST_TZ,
      logger,
      signal,
      run: async () => {
        const startedAt = Date.now();
        // One key per firing minute: two processes on one DATA_DIR post it once.
        const key = `report:scheduled:${new Date(Math.floor(clock() / 60_000) * 60_000).toISOString()}`;
        const outcome = await runReport(deps, { key, wantChart: args.out !== undefined, slackAttempts: 1 }).catch(
          (error: unknown) => {
            if (!isSlackUndelivered(error)) throw error;
            logger.warn(
              { outboxId: error.item.id, reason: error.item.lastError },
              "pipeline report queued; Slack did not take it yet, the sender keeps retrying",
            );
            return undefined;
          },
        );
        if (outcome !== undefined) await finished(outcome, startedAt);
      },
    });
    await new Promise<void>((resolve) =>
      signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    await schedule.stop();
    await sender.stop();
    return 0;
  } finally {
    db.close();
  }
}
