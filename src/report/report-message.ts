import { formatDuration } from "../util/format-duration.js";
import type { NotionPerson } from "../notion/people-of.js";
import { formatDealValue } from "../notion/format-deal-value.js";
import { escapeMrkdwn, mrkdwnLink } from "../slack/escape-mrkdwn.js";
import { personToken } from "../slack/person-mention.js";
import { fitToSlackLimits, section, type SlackMessage } from "../slack/slack-message.js";
import {
  CLOSED_WINDOW_DAYS,
  RECENT_DAYS,
  type ClosedDeal,
  type OwnerLine,
  type PipelineReport,
} from "./pipeline-report.js";
import { textBars } from "./text-bars.js";

/** Deals named in a "won" or "stuck" line at most; the count says how many more. */
export const LISTED_DEALS = 10;

export type ReportMessageOptions = {
  /** The Value property's number format (dollar, euro, …). */
  valueFormat: string | undefined;
  /** DIGEST_TZ: the zone of the week labels. */
  timeZone: string;
  stuckAfterDays: number;
  /** No chart goes with the message (incoming webhook): the bars are drawn in characters. */
  textBars: boolean;
};

/**
 * The weekly report as one Slack message, in the contract's order: open
 * pipeline by stage, forecast, won and lost, win rate, average won value,
 * days to won, stuck deals, speed to lead, one line per owner. Text and
 * blocks say the same words; every user string is escaped.
 */
export function reportMessage(report: PipelineReport, options: ReportMessageOptions): SlackMessage {
  const money = (value: number) => escapeMrkdwn(formatDealValue(value, options.valueFormat));
  const people: Record<string, string | null> = {};
  const parts: string[][] = [];

  const pipeline = [
    `*📊 Weekly pipeline report* · ${report.dealCount} deal${plural(report.dealCount)} in Deals`,
    `*Open pipeline:* ${report.openCount} deal${plural(report.openCount)}, ${money(report.openValue)}`,
  ];
  if (options.textBars) {
    const rows = report.open.map((line) => ({
      label: line.stage,
      value: line.value,
      shown: `${formatDealValue(line.value, options.valueFormat)} (${line.count})`,
    }));
    if (rows.length > 0) pipeline.push(codeBlock(textBars(rows)));
  } else {
    for (const line of report.open)
      pipeline.push(`• ${escapeMrkdwn(line.stage)}: ${line.count} · ${money(line.value)}`);
  }
  parts.push(pipeline);

  if (report.forecast !== undefined) {
    const without = report.forecast.stagesWithout;
    parts.push([
      `*Weighted forecast:* ${money(report.forecast.value)}${
        without.length === 0 ? "" : ` (no probability set, counted as 0: ${without.map(escapeMrkdwn).join(", ")})`
      }`,
    ]);
  }

  parts.push([
    closedLine(`Won in the last ${RECENT_DAYS} days`, report.wonRecent, money),
    closedLine(`Lost in the last ${RECENT_DAYS} days`, report.lostRecent, money),
  ]);

  const { won, lost, rate } = report.winRate;
  const closed = [
    rate === undefined
      ? `*Win rate (${CLOSED_WINDOW_DAYS} days):* no deal was won or lost in the last ${CLOSED_WINDOW_DAYS} days, so there is no win rate yet`
      : `*Win rate (${CLOSED_WINDOW_DAYS} days):* ${Math.round(rate * 100)}% (${won} won, ${lost} lost)`,
    report.averageWonValue === undefined
      ? `*Average won value (${CLOSED_WINDOW_DAYS} days):* no won deal with a value`
      : `*Average won value (${CLOSED_WINDOW_DAYS} days):* ${money(report.averageWonValue)}`,
    report.medianDaysToWon === undefined
      ? `*Median days from creation to won (${CLOSED_WINDOW_DAYS} days):* no deal won`
      : `*Median days from creation to won (${CLOSED_WINDOW_DAYS} days):* ${roundDays(report.medianDaysToWon)}`,
  ];
  if (options.textBars) {
    const weekLabel = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: options.timeZone });
    const rows = report.weeks.flatMap((week) => {
      const label = `wk of ${weekLabel.format(week.startMs)}`;
      return [
        { label: `${label} won`, value: week.won, shown: formatDealValue(week.won, options.valueFormat) },
        { label: `${label} lost`, value: week.lost, shown: formatDealValue(week.lost, options.valueFormat) },
      ];
    });
    closed.push(`Won and lost value per week:\n${codeBlock(textBars(rows))}`);
  }
  parts.push(closed);

  const stuck = [
    report.stuck.length === 0
      ? `*Stuck deals:* none (no open deal has kept its stage for ${options.stuckAfterDays} days or more)`
      : `*Stuck deals* (same stage for ${options.stuckAfterDays}+ days): ${report.stuck.length}`,
    ...report.stuck
      .slice(0, LISTED_DEALS)
      .map((deal) => `• ${mrkdwnLink(deal.url, deal.name)} — ${escapeMrkdwn(deal.stage)}, ${deal.days} days`),
    ...(report.stuck.length > LISTED_DEALS ? [`…and ${report.stuck.length - LISTED_DEALS} more`] : []),
  ];
  parts.push(stuck);

  const speed = report.speedToLead;
  parts.push([
    speed.leads === 0
      ? `*Speed to lead (${RECENT_DAYS} days):* no new leads`
      : speed.medianMs === undefined
        ? `*Speed to lead (${RECENT_DAYS} days):* ${speed.leads} new lead${plural(speed.leads)}, none touched yet`
        : `*Speed to lead (${RECENT_DAYS} days):* median ${formatDuration(speed.medianMs)} from arrival to first touch (${speed.touched} of ${speed.leads} new lead${plural(speed.leads)} touched)`,
  ]);

  if (report.owners.length > 0) {
    parts.push([
      "*By owner:*",
      ...report.owners.map((line) => `• ${personToken(line.owner, people)}: ${ownerNumbers(line, money)}`),
    ]);
  }

  const text = parts.map((lines) => lines.join("\n")).join("\n");
  return fitToSlackLimits({
    text,
    blocks: parts.map((lines) => section(lines.join("\n"))),
    ...(Object.keys(people).length > 0 && { people }),
  });
}

/** An owner's direct message: their own numbers (app mode, Deals with Owner). */
export function ownerReportMessage(
  report: PipelineReport,
  line: OwnerLine,
  options: Pick<ReportMessageOptions, "valueFormat">,
): SlackMessage {
  const money = (value: number) => escapeMrkdwn(formatDealValue(value, options.valueFormat));
  const mine = (owners: readonly NotionPerson[]) => owners.some((owner) => owner.id === line.owner.id);
  const stuck = report.stuck.filter((deal) => mine(deal.owners));
  const lines = [
    `*📊 Your pipeline this week:* ${ownerNumbers(line, money)}`,
    closedLine(
      `You won in the last ${RECENT_DAYS} days`,
      report.wonRecent.filter((deal) => mine(deal.owners)),
      money,
    ),
    ...(stuck.length === 0
      ? []
      : [
          `*Your stuck deals:* ${stuck.length}`,
          ...stuck
            .slice(0, LISTED_DEALS)
            .map((deal) => `• ${mrkdwnLink(deal.url, deal.name)} — ${escapeMrkdwn(deal.stage)}, ${deal.days} days`),
        ]),
  ];
  return fitToSlackLimits({
    text: lines.join("\n"),
    blocks: [section(lines.join("\n"))],
    dm: { notionUserId: line.owner.id },
  });
}

function ownerNumbers(line: OwnerLine, money: (value: number) => string): string {
  return `open ${money(line.openValue)} (${line.openCount} deal${plural(line.openCount)}), won in ${RECENT_DAYS} days ${line.wonCount} · ${money(line.wonValue)}`;
}

function closedLine(label: string, deals: readonly ClosedDeal[], money: (value: number) => string): string {
  if (deals.length === 0) return `*${label}:* none`;
  const total = deals.reduce((sum, deal) => sum + deal.value, 0);
  const names = deals.slice(0, LISTED_DEALS).map((deal) => escapeMrkdwn(deal.name));
  const more = deals.length > LISTED_DEALS ? ` and ${deals.length - LISTED_DEALS} more` : "";
  return `*${label}:* ${deals.length} · ${money(total)} — ${names.join(", ")}${more}`;
}

function codeBlock(lines: readonly string[]): string {
  return `\`\`\`\n${lines.map(escapeMrkdwn).join("\n")}\n\`\`\``;
}

const plural = (count: number) => (count === 1 ? "" : "s");
const roundDays = (days: number) => {
  const rounded = Math.round(days * 10) / 10;
  return `${rounded} day${rounded === 1 ? "" : "s"}`;
};
