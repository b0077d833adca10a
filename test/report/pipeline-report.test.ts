import { describe, expect, it } from "vitest";
import type { StageChange } from "../../src/deal-history/deal-history.js";
import type { DealSnapshot } from "../../src/report/deal-snapshot.js";
import { computePipelineReport, type PipelineReportInput } from "../../src/report/pipeline-report.js";

const NOW = Date.parse("2026-12-07T08:00:00.000Z");
const DAY = 86_400_000;
const STAGES = ["new", "qualified", "proposal", "negotiation", "won", "lost"];
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();
const alice = { id: "u-alice", name: "Alice" };
const bob = { id: "u-bob", name: "Bob" };

function deal(
  id: string,
  stage: string | undefined,
  value: number | undefined,
  edited: number,
  created = 60,
): DealSnapshot {
  return {
    id,
    name: id,
    stage,
    value,
    owners: [],
    createdTime: ago(created),
    lastEditedTime: ago(edited),
    url: `https://www.notion.so/${id}`,
  };
}
const move = (pageId: string, from: string | null, to: string, days: number): StageChange => ({
  pageId,
  from,
  to,
  at: ago(days),
});
function history(...changes: StageChange[]): Map<string, StageChange[]> {
  const map = new Map<string, StageChange[]>();
  for (const change of changes) map.set(change.pageId, [...(map.get(change.pageId) ?? []), change]);
  return map;
}
const compute = (input: Partial<PipelineReportInput>) =>
  computePipelineReport({
    deals: [],
    history: new Map(),
    stageOrder: STAGES,
    stuckAfterDays: 21,
    leads: [],
    nowMs: NOW,
    ...input,
  });

describe("computePipelineReport", () => {
  it("with no deals: every open stage at zero, and no win rate, average or cycle time", () => {
    const report = compute({});
    expect(report.open).toEqual([
      { stage: "new", count: 0, value: 0 },
      { stage: "qualified", count: 0, value: 0 },
      { stage: "proposal", count: 0, value: 0 },
      { stage: "negotiation", count: 0, value: 0 },
    ]);
    expect(report.winRate).toEqual({ won: 0, lost: 0, rate: undefined });
    expect(report.averageWonValue).toBeUndefined();
    expect(report.medianDaysToWon).toBeUndefined();
    expect(report.stuck).toEqual([]);
    expect(report.owners).toEqual([]);
    expect(report.forecast).toBeUndefined();
    expect(report.weeks).toHaveLength(8);
    expect(report.weeks.every((week) => week.won === 0 && week.lost === 0)).toBe(true);
  });

  it("with open deals only: the pipeline by stage in the options' order, and no win rate (not 0%)", () => {
    const report = compute({
      deals: [deal("a", "negotiation", 5_000, 1), deal("b", "new", 1_000, 1), deal("c", "New", 2_000, 2)],
    });
    expect(report.open.map((line) => [line.stage, line.count, line.value])).toEqual([
      ["new", 2, 3_000],
      ["qualified", 0, 0],
      ["proposal", 0, 0],
      ["negotiation", 1, 5_000],
    ]);
    expect(report.openValue).toBe(8_000);
    expect(report.winRate.rate).toBeUndefined();
  });

  it("dates a close by the stored move into it, and counts won and lost in 7 days and the 90-day rate", () => {
    const deals = [
      deal("won-3d", "won", 10_000, 1, 33), // edited after the move: the history's date wins
      deal("won-20d", "won", 20_000, 20, 30),
      deal("won-old", "won", 99_000, 200, 300), // closed before the 90 days
      deal("lost-2d", "lost", 4_000, 2),
      deal("lost-50d", "lost", 1_000, 50),
    ];
    const report = compute({
      deals,
      history: history(move("won-3d", "negotiation", "won", 3)),
    });
    expect(report.wonRecent.map((closed) => closed.id)).toEqual(["won-3d"]);
    expect(report.lostRecent.map((closed) => [closed.id, closed.value])).toEqual([["lost-2d", 4_000]]);
    expect(report.winRate).toEqual({ won: 2, lost: 2, rate: 0.5 });
    expect(report.averageWonValue).toBe(15_000);
    // 33 - 3 = 30 days and 30 - 20 = 10 days: the median of two is their mean.
    expect(report.medianDaysToWon).toBe(20);
  });

  it("counts a deal moved back out of won as open, from the day it left", () => {
    const report = compute({
      deals: [deal("back", "negotiation", 7_000, 2)],
      history: history(move("back", "negotiation", "won", 5), move("back", "won", "negotiation", 2)),
    });
    expect(report.wonRecent).toEqual([]);
    expect(report.winRate).toEqual({ won: 0, lost: 0, rate: undefined });
    expect(report.open.find((line) => line.stage === "negotiation")).toEqual({
      stage: "negotiation",
      count: 1,
      value: 7_000,
    });
  });

  it("leaves a deleted deal out, whatever its history says", () => {
    const report = compute({
      deals: [deal("kept", "won", 1_000, 1)],
      history: history(move("deleted", "negotiation", "won", 1), move("kept", "proposal", "won", 1)),
    });
    expect(report.wonRecent.map((closed) => closed.id)).toEqual(["kept"]);
    expect(report.winRate.won).toBe(1);
    expect(report.dealCount).toBe(1);
  });

  it("finds stuck deals by their last move, or by last_edited_time when never seen moving", () => {
    const report = compute({
      deals: [
        deal("moved-long-ago", "proposal", 1, 1), // edited yesterday, but its stage last changed 30 days ago
        deal("never-seen", "qualified", 1, 25),
        deal("fresh", "new", 1, 3),
        deal("stale-history", "negotiation", 1, 2), // moved while nobody watched: its last_edited_time counts
        deal("won-long-ago", "won", 1, 100),
      ],
      history: history(move("moved-long-ago", "new", "proposal", 30), move("stale-history", "new", "proposal", 40)),
      stuckAfterDays: 21,
    });
    expect(report.stuck.map((stuck) => [stuck.name, stuck.stage, stuck.days])).toEqual([
      ["moved-long-ago", "proposal", 30],
      ["never-seen", "qualified", 25],
    ]);
  });

  it("weights the forecast by STAGE_PROBABILITIES and names open stages without one", () => {
    const report = compute({
      deals: [deal("a", "negotiation", 10_000, 1), deal("b", "new", 5_000, 1), deal("c", "proposal", 3_000, 1)],
      probabilities: new Map([
        ["negotiation", 60],
        ["new", 10],
      ]),
    });
    expect(report.forecast).toEqual({ value: 6_500, stagesWithout: ["proposal"] });
  });

  it("sums won and lost value per week over the last 8 weeks", () => {
    const report = compute({
      deals: [
        deal("w1", "won", 1_000, 1),
        deal("w2", "won", 2_000, 3),
        deal("l1", "lost", 500, 10),
        deal("w-old", "won", 9_000, 57),
      ],
    });
    expect(report.weeks.at(-1)).toMatchObject({ won: 3_000, lost: 0 });
    expect(report.weeks.at(-2)).toMatchObject({ won: 0, lost: 500 });
    expect(report.weeks.reduce((sum, week) => sum + week.won, 0)).toBe(3_000);
    expect(report.weeks[0]!.startMs).toBe(NOW - 56 * DAY);
  });

  it("gives each owner their open value and what they won in 7 days", () => {
    const owned = (snapshot: DealSnapshot, ...owners: (typeof alice)[]) => ({ ...snapshot, owners });
    const report = compute({
      deals: [
        owned(deal("a", "negotiation", 10_000, 1), alice),
        owned(deal("b", "won", 4_000, 2), alice, bob),
        owned(deal("c", "new", 1_000, 1), bob),
        owned(deal("d", "won", 8_000, 30), bob),
      ],
    });
    expect(report.owners).toEqual([
      { owner: alice, openValue: 10_000, openCount: 1, wonCount: 1, wonValue: 4_000 },
      { owner: bob, openValue: 1_000, openCount: 1, wonCount: 1, wonValue: 4_000 },
    ]);
  });

  it("takes speed to lead as the median from arrival to first touch over the week's leads", () => {
    const lead = (arrivedHoursAgo: number, touchedAfterMinutes?: number) => ({
      pageId: `p${arrivedHoursAgo}`,
      email: `${arrivedHoursAgo}@example.com`,
      arrivedAtMs: NOW - arrivedHoursAgo * 3_600_000,
      touchedAtMs:
        touchedAfterMinutes === undefined
          ? undefined
          : NOW - arrivedHoursAgo * 3_600_000 + touchedAfterMinutes * 60_000,
      via: touchedAfterMinutes === undefined ? undefined : ("slack" as const),
    });
    expect(compute({ leads: [lead(50, 10), lead(40, 30), lead(30, 120), lead(20)] }).speedToLead).toEqual({
      leads: 4,
      touched: 3,
      medianMs: 30 * 60_000,
    });
    expect(compute({ leads: [lead(5)] }).speedToLead).toEqual({ leads: 1, touched: 0, medianMs: undefined });
  });

  it("lists deals without a stage, and stages the options lack, after the options", () => {
    const report = compute({ deals: [deal("x", undefined, 100, 1), deal("y", "discovery", 50, 1)] });
    expect(report.open.slice(-2)).toEqual([
      { stage: "discovery", count: 1, value: 50 },
      { stage: "no stage", count: 1, value: 100 },
    ]);
  });
});
