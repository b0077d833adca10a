import { DEAL } from "../crm-schema/crm-schema.js";
import { readStageHistory } from "../deal-history/deal-history.js";
import { leadsArrivedSince } from "../first-touch/first-touches.js";
import type { Logger } from "../log/create-logger.js";
import { assertCrmSchema } from "../notion/check-crm-schema.js";
import { propertyIdsOf } from "../notion/filter-properties.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { SlackDeliveryError, type SlackDeliveryWords } from "../slack/slack-delivery-error.js";
import type { OutboxItem, SlackOutbox } from "../slack/slack-outbox.js";
import { followingFileKey, type SlackSender } from "../slack/slack-sender.js";
import type { Store } from "../store/open-store.js";
import { REPORT_DEAL_PROPERTIES } from "./deal-snapshot.js";
import { computePipelineReport, MS_PER_DAY, RECENT_DAYS, type PipelineReport } from "./pipeline-report.js";
import { readDeals } from "./read-deals.js";
import { ownerReportMessage, reportMessage } from "./report-message.js";

/** Slack sends one run makes before it reports failure (about 15 s of backoff). */
export const REPORT_SLACK_ATTEMPTS = 5;
export const CHART_FILENAME = "pipeline-report.png";
/** How a report Slack did not take is named: a Slack app also needs files:write for the chart. */
const REPORT_DELIVERY: SlackDeliveryWords = {
  what: "pipeline report",
  scopes: "its scopes such as files:write",
  runAgain: "run again",
  laterSenders: "the server, or `npm run report` staying up",
};

/** Draws the chart (src/report/chart, loaded only by the report command). */
export type RenderChart = (
  report: PipelineReport,
  options: { valueFormat: string | undefined; timeZone: string },
) => Promise<Buffer>;

export type ReportDeps = {
  notion: NotionGateway;
  dealsDatabaseId: string;
  db: Store;
  outbox: SlackOutbox;
  sender: Pick<SlackSender, "deliver">;
  logger: Logger;
  /** DIGEST_TZ */
  timeZone: string;
  stuckAfterDays: number;
  probabilities?: ReadonlyMap<string, number> | undefined;
  /** Slack app mode: the chart is uploaded with the message, and each deal owner gets their numbers directly. */
  appMode: boolean;
  renderChart: RenderChart;
  now?: () => number;
};

export type ReportRunOptions = {
  /** The outbox's dedupe key: two runs with one key post once. */
  key: string;
  /** Draw the chart even when Slack does not take it (--out). */
  wantChart?: boolean;
  /** @default REPORT_SLACK_ATTEMPTS */
  slackAttempts?: number;
};

export type ReportOutcome = {
  report: PipelineReport;
  item: OutboxItem;
  /** The PNG, when one was drawn. */
  chart: Buffer | undefined;
  notionQueries: number;
  ownerMessages: OutboxItem[];
};

/**
 * One weekly report: Deals read once, the stage history and first touches
 * from the state file, every number computed by computePipelineReport, one
 * message (with the chart in app mode, bars in characters otherwise) through
 * the outbox, then each owner's own numbers in app mode.
 */
export async function runReport(deps: ReportDeps, options: ReportRunOptions): Promise<ReportOutcome> {
  const log = deps.logger.child({ area: "report" });
  const nowMs = (deps.now ?? Date.now)();
  const slackAttempts = options.slackAttempts ?? REPORT_SLACK_ATTEMPTS;

  const schema = await assertCrmSchema(deps.notion, { deals: deps.dealsDatabaseId });
  const properties = schema.properties.deals ?? {};
  const valueFormat = properties[DEAL.value]?.numberFormat;
  const { deals, queries } = await readDeals(deps.notion, {
    dataSourceId: schema.dataSourceIds.deals!,
    readPropertyIds: propertyIdsOf(schema, "deals", REPORT_DEAL_PROPERTIES),
  });
  const report = computePipelineReport({
    deals,
    history: readStageHistory(deps.db),
    stageOrder: properties[DEAL.stage]?.options ?? [],
    probabilities: deps.probabilities,
    stuckAfterDays: deps.stuckAfterDays,
    leads: leadsArrivedSince(deps.db, nowMs - RECENT_DAYS * MS_PER_DAY),
    nowMs,
  });
  const chartOptions = { valueFormat, timeZone: deps.timeZone };
  const chart = deps.appMode || options.wantChart === true ? await deps.renderChart(report, chartOptions) : undefined;

  const message = reportMessage(report, {
    ...chartOptions,
    stuckAfterDays: deps.stuckAfterDays,
    textBars: !deps.appMode,
  });
  if (deps.appMode && chart !== undefined) {
    message.file = {
      filename: CHART_FILENAME,
      title: `Pipeline report, ${new Date(nowMs).toISOString().slice(0, 10)}`,
      contentBase64: chart.toString("base64"),
    };
  }
  const { item, duplicate } = deps.outbox.enqueue(message, options.key);
  log.info(
    { outboxId: item.id, duplicate, deals: deals.length, notionQueries: queries },
    "pipeline report queued for Slack",
  );
  const deliver = async (queued: OutboxItem) =>
    deps.sender.deliver(queued.id, { maxAttempts: queued.attempts + slackAttempts });
  const sent = await deliver(item);
  if (sent.state !== "sent") throw new SlackDeliveryError(sent, REPORT_DELIVERY);
  // SLACK_CHANNEL given by name: the chart follows its message as one of its own.
  const following = deps.outbox.byKey(followingFileKey(item));
  if (following !== undefined) {
    const settled = await deliver(following);
    if (settled.state !== "sent")
      log.warn({ outboxId: following.id, reason: settled.lastError }, "the report's chart was not uploaded yet");
  }

  const ownerMessages: OutboxItem[] = [];
  if (deps.appMode && schema.propertyTypes.deals?.[DEAL.owner] === "people") {
    for (const line of report.owners) {
      const queued = deps.outbox.enqueue(
        ownerReportMessage(report, line, { valueFormat }),
        `${options.key}:dm:${line.owner.id}`,
      ).item;
      const settled = await deliver(queued);
      if (settled.state !== "sent")
        log.warn(
          { outboxId: queued.id, state: settled.state, reason: settled.lastError },
          "an owner's report was not delivered",
        );
      ownerMessages.push(settled);
    }
  }
  log.info({ outboxId: item.id, deals: deals.length, owners: ownerMessages.length }, "pipeline report sent");
  return { report, item: sent, chart, notionQueries: queries, ownerMessages };
}
