import { describe, expect, it } from "vitest";
import type { DealSnapshot } from "../../src/report/deal-snapshot.js";
import { computePipelineReport } from "../../src/report/pipeline-report.js";
import { ownerReportMessage, reportMessage } from "../../src/report/report-message.js";
import { textBars } from "../../src/report/text-bars.js";

const NOW = Date.parse("2026-12-07T08:00:00.000Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();
const alice = { id: "5f0c9a1e-0000-4000-8000-000000000001", name: "Alice" };

function deal(name: string, stage: string, value: number, edited: number): DealSnapshot {
  return {
    id: name,
    name,
    stage,
    value,
    owners: [alice],
    createdTime: ago(40),
    lastEditedTime: ago(edited),
    url: `https://www.notion.so/${encodeURIComponent(name)}`,
  };
}
const report = (deals: DealSnapshot[], probabilities?: Map<string, number>) =>
  computePipelineReport({
    deals,
    history: new Map(),
    stageOrder: ["new", "qualified", "negotiation", "won", "lost"],
    probabilities,
    stuckAfterDays: 21,
    leads: [],
    nowMs: NOW,
  });
const options = { valueFormat: "dollar", timeZone: "UTC", stuckAfterDays: 21, textBars: false };

describe("reportMessage", () => {
  it("says every part in the contract's order, with the same words in text and blocks", () => {
    const message = reportMessage(
      report(
        [deal("Acme", "negotiation", 12_000, 30), deal("Globex", "won", 8_000, 2), deal("Initech", "lost", 3_000, 3)],
        new Map([["negotiation", 50]]),
      ),
      options,
    );
    const order = [
      "Open pipeline:",
      "Weighted forecast:",
      "Won in the last 7 days:",
      "Lost in the last 7 days:",
      "Win rate (90 days):",
      "Average won value",
      "Median days from creation to won",
      "Stuck deals",
      "Speed to lead",
      "By owner:",
    ].map((words) => message.text.indexOf(words));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(message.text).toContain("*Won in the last 7 days:* 1 · $8,000 — Globex");
    expect(message.text).toContain("*Win rate (90 days):* 50% (1 won, 1 lost)");
    expect(message.text).toContain("*Weighted forecast:* $6,000");
    expect(message.text).toMatch(/Acme.*negotiation, 30 days/);
    const blockText = message.blocks!.map((block) => (block.type === "section" ? block.text.text : "")).join("\n");
    expect(blockText).toBe(message.text);
  });

  it("says there is no win rate when nothing closed, never 0%", () => {
    const message = reportMessage(report([deal("Acme", "new", 1_000, 1)]), options);
    expect(message.text).toContain("no deal was won or lost in the last 90 days, so there is no win rate yet");
    expect(message.text).not.toMatch(/\b0%/);
    expect(message.text).not.toContain("Weighted forecast");
  });

  it("writes values in the Value property's currency", () => {
    const deals = [deal("Acme", "won", 1_234_567, 1)];
    expect(reportMessage(report(deals), { ...options, valueFormat: "euro" }).text).toContain("€1,234,567");
    expect(reportMessage(report(deals), { ...options, valueFormat: "yen" }).text).toContain("¥1,234,567");
    expect(reportMessage(report(deals), { ...options, valueFormat: "pound" }).text).toContain("£1,234,567");
    expect(reportMessage(report(deals), { ...options, valueFormat: "number" }).text).toContain("1234567");
  });

  it("escapes names that came from people", () => {
    const message = reportMessage(report([deal("<!channel> & co", "won", 1, 1)]), options);
    expect(message.text).toContain("&lt;!channel&gt; &amp; co");
    expect(message.text).not.toContain("<!channel>");
  });

  it("draws the bars in characters when no chart goes with it (incoming webhook)", () => {
    const message = reportMessage(report([deal("Acme", "new", 2_000, 1), deal("Globex", "qualified", 1_000, 1)]), {
      ...options,
      textBars: true,
    });
    expect(message.text).toContain("new         ████████████████████ $2,000 (1)");
    expect(message.text).toContain("qualified   ██████████·········· $1,000 (1)");
    expect(message.text).toMatch(/won and lost value per week/i);
  });

  it("gives an owner their own numbers in a direct message", () => {
    const built = report([deal("Acme", "negotiation", 5_000, 30), deal("Globex", "won", 2_000, 1)]);
    const mine = ownerReportMessage(built, built.owners[0]!, { valueFormat: "dollar" });
    expect(mine.dm).toEqual({ notionUserId: alice.id });
    expect(mine.text).toContain("open $5,000 (1 deal), won in 7 days 1 · $2,000");
    expect(mine.text).toContain("*Your stuck deals:* 1");
  });
});

describe("textBars", () => {
  it("scales to the largest, gives any value above 0 a block, and none to 0", () => {
    expect(
      textBars(
        [
          { label: "a", value: 100, shown: "100" },
          { label: "bb", value: 1, shown: "1" },
          { label: "c", value: 0, shown: "0" },
        ],
        4,
      ),
    ).toEqual(["a  ████ 100", "bb █··· 1", "c  ···· 0"]);
  });
});
