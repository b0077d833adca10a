import { DEAL_STAGE } from "../crm-schema/crm-schema.js";
import type { StageChange } from "../deal-history/deal-history.js";
import type { LeadTouch } from "../first-touch/first-touches.js";
import type { NotionPerson } from "../notion/people-of.js";
import type { DealSnapshot } from "./deal-snapshot.js";

export const MS_PER_DAY = 86_400_000;
/** Won and lost "this week", speed to lead's leads: the last 7 days. */
export const RECENT_DAYS = 7;
/** Win rate, average won value and days to won: the last 90 days. */
export const CLOSED_WINDOW_DAYS = 90;
export const CHART_WEEKS = 8;
/** What the open pipeline calls deals without a Stage. */
export const NO_STAGE = "no stage";

export type PipelineReportInput = {
  /** Deals now (a deleted deal is not among them, whatever its history). */
  deals: readonly DealSnapshot[];
  /** Stored stage changes by deal, oldest first. */
  history: ReadonlyMap<string, readonly StageChange[]>;
  /** The Stage property's options, in Notion's order. */
  stageOrder: readonly string[];
  /** STAGE_PROBABILITIES (stage in lower case → percent); undefined: no forecast. */
  probabilities?: ReadonlyMap<string, number> | undefined;
  stuckAfterDays: number;
  /** New leads that arrived in the last 7 days, with their first touch. */
  leads: readonly LeadTouch[];
  nowMs: number;
};

export type StageLine = { stage: string; count: number; value: number };
export type ClosedDeal = { id: string; name: string; value: number; closedAtMs: number; owners: NotionPerson[] };
export type StuckDeal = { id: string; name: string; stage: string; days: number; url: string; owners: NotionPerson[] };
export type OwnerLine = {
  owner: NotionPerson;
  openValue: number;
  openCount: number;
  wonCount: number;
  wonValue: number;
};
export type WeekLine = { startMs: number; won: number; lost: number };

export type PipelineReport = {
  nowMs: number;
  dealCount: number;
  /** Open deals by stage, in the Stage options' order (every open option, empty ones too). */
  open: StageLine[];
  openValue: number;
  openCount: number;
  /** Undefined when STAGE_PROBABILITIES is not set. */
  forecast: { value: number; stagesWithout: string[] } | undefined;
  wonRecent: ClosedDeal[];
  lostRecent: ClosedDeal[];
  /** Over CLOSED_WINDOW_DAYS; rate undefined when nothing closed. */
  winRate: { won: number; lost: number; rate: number | undefined };
  /** Undefined when no deal with a value was won in the window. */
  averageWonValue: number | undefined;
  /** Undefined when no deal was won in the window. */
  medianDaysToWon: number | undefined;
  stuck: StuckDeal[];
  speedToLead: { leads: number; touched: number; medianMs: number | undefined };
  owners: OwnerLine[];
  /** Won and lost value per week, oldest first; the last week ends now. */
  weeks: WeekLine[];
};

const key = (stage: string | null | undefined) => (stage ?? "").trim().toLowerCase();
export const isWon = (stage: string | null | undefined) => key(stage) === DEAL_STAGE.won;
export const isLost = (stage: string | null | undefined) => key(stage) === DEAL_STAGE.lost;
const isClosed = (stage: string | null | undefined) => isWon(stage) || isLost(stage);

/**
 * When a deal entered the stage it is in now: the last stored change into
 * that stage. A deal never seen moving, or whose last stored change is not
 * its current stage (moved while nobody watched), counts from its
 * last_edited_time.
 */
export function enteredStageAtMs(deal: DealSnapshot, changes: readonly StageChange[] | undefined): number {
  const last = changes?.at(-1);
  if (last !== undefined && key(last.to) === key(deal.stage)) return Date.parse(last.at);
  return Date.parse(deal.lastEditedTime);
}

/** Every number of the weekly report, from the deals now, their history and the leads' first touches. */
export function computePipelineReport(input: PipelineReportInput): PipelineReport {
  const { deals, nowMs } = input;
  const recentFrom = nowMs - RECENT_DAYS * MS_PER_DAY;
  const windowFrom = nowMs - CLOSED_WINDOW_DAYS * MS_PER_DAY;
  const chartFrom = nowMs - CHART_WEEKS * 7 * MS_PER_DAY;

  const open = openStages(input.stageOrder, deals);
  const wonRecent: ClosedDeal[] = [];
  const lostRecent: ClosedDeal[] = [];
  const wonInWindow: Array<ClosedDeal & { createdMs: number; hasValue: boolean }> = [];
  let lostInWindow = 0;
  const stuck: StuckDeal[] = [];
  const owners = new Map<string, OwnerLine>();
  const weeks: WeekLine[] = Array.from({ length: CHART_WEEKS }, (_, index) => ({
    startMs: chartFrom + index * 7 * MS_PER_DAY,
    won: 0,
    lost: 0,
  }));
  const ownerLine = (owner: NotionPerson) => {
    const line = owners.get(owner.id) ?? { owner, openValue: 0, openCount: 0, wonCount: 0, wonValue: 0 };
    owners.set(owner.id, line);
    return line;
  };

  for (const deal of deals) {
    const value = deal.value ?? 0;
    const enteredMs = enteredStageAtMs(deal, input.history.get(deal.id));
    if (!isClosed(deal.stage)) {
      const line = open.find((stage) => key(stage.stage) === key(deal.stage ?? NO_STAGE))!;
      line.count++;
      line.value += value;
      for (const owner of deal.owners) {
        const mine = ownerLine(owner);
        mine.openValue += value;
        mine.openCount++;
      }
      const days = Math.floor((nowMs - enteredMs) / MS_PER_DAY);
      if (deal.stage !== undefined && days >= input.stuckAfterDays)
        stuck.push({ id: deal.id, name: deal.name, stage: deal.stage, days, url: deal.url, owners: deal.owners });
      continue;
    }
    const closed: ClosedDeal = { id: deal.id, name: deal.name, value, closedAtMs: enteredMs, owners: deal.owners };
    const won = isWon(deal.stage);
    if (enteredMs >= recentFrom && enteredMs <= nowMs) {
      (won ? wonRecent : lostRecent).push(closed);
      if (won) {
        for (const owner of deal.owners) {
          const mine = ownerLine(owner);
          mine.wonCount++;
          mine.wonValue += value;
        }
      }
    }
    if (enteredMs >= windowFrom && enteredMs <= nowMs) {
      if (won)
        wonInWindow.push({ ...closed, createdMs: Date.parse(deal.createdTime), hasValue: deal.value !== undefined });
      else lostInWindow++;
    }
    if (enteredMs >= chartFrom && enteredMs <= nowMs) {
      const week = weeks[Math.min(CHART_WEEKS - 1, Math.floor((enteredMs - chartFrom) / (7 * MS_PER_DAY)))]!;
      if (won) week.won += value;
      else week.lost += value;
    }
  }

  const valued = wonInWindow.filter((deal) => deal.hasValue);
  const byClosed = (a: ClosedDeal, b: ClosedDeal) => b.closedAtMs - a.closedAtMs || a.name.localeCompare(b.name);
  const touchedMs = input.leads.flatMap((lead) =>
    lead.touchedAtMs === undefined ? [] : [Math.max(0, lead.touchedAtMs - lead.arrivedAtMs)],
  );
  return {
    nowMs,
    dealCount: deals.length,
    open,
    openValue: sum(open.map((line) => line.value)),
    openCount: sum(open.map((line) => line.count)),
    forecast: input.probabilities === undefined ? undefined : forecastOf(open, input.probabilities),
    wonRecent: wonRecent.sort(byClosed),
    lostRecent: lostRecent.sort(byClosed),
    winRate: {
      won: wonInWindow.length,
      lost: lostInWindow,
      rate:
        wonInWindow.length + lostInWindow === 0 ? undefined : wonInWindow.length / (wonInWindow.length + lostInWindow),
    },
    averageWonValue: valued.length === 0 ? undefined : sum(valued.map((deal) => deal.value)) / valued.length,
    medianDaysToWon: median(wonInWindow.map((deal) => Math.max(0, deal.closedAtMs - deal.createdMs) / MS_PER_DAY)),
    stuck: stuck.sort((a, b) => b.days - a.days || a.name.localeCompare(b.name)),
    speedToLead: { leads: input.leads.length, touched: touchedMs.length, medianMs: median(touchedMs) },
    owners: [...owners.values()].sort(
      (a, b) =>
        b.openValue - a.openValue || b.wonValue - a.wonValue || (a.owner.name ?? "").localeCompare(b.owner.name ?? ""),
    ),
    weeks,
  };
}

/** Every open Stage option in Notion's order, then stages deals have that the options lack, then "no stage". */
function openStages(stageOrder: readonly string[], deals: readonly DealSnapshot[]): StageLine[] {
  const lines: StageLine[] = [];
  const add = (stage: string) => {
    if (!isClosed(stage) && !lines.some((line) => key(line.stage) === key(stage)))
      lines.push({ stage, count: 0, value: 0 });
  };
  for (const stage of stageOrder) add(stage);
  for (const deal of deals) if (deal.stage !== undefined) add(deal.stage);
  if (deals.some((deal) => deal.stage === undefined)) add(NO_STAGE);
  return lines;
}

function forecastOf(open: readonly StageLine[], probabilities: ReadonlyMap<string, number>) {
  let value = 0;
  const stagesWithout: string[] = [];
  for (const line of open) {
    const percent = probabilities.get(key(line.stage));
    if (percent === undefined) {
      if (line.count > 0) stagesWithout.push(line.stage);
      continue;
    }
    value += (line.value * percent) / 100;
  }
  return { value, stagesWithout };
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
