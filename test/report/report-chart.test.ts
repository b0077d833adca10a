import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { CHART_ZOOM, renderReportChart, reportChartSvg } from "../../src/report/chart/render-report-chart.js";
import type { DealSnapshot } from "../../src/report/deal-snapshot.js";
import { computePipelineReport } from "../../src/report/pipeline-report.js";

const NOW = Date.parse("2026-12-07T08:00:00.000Z");
const DAY = 86_400_000;
const STAGES = ["new", "qualified", "proposal", "negotiation", "won", "lost"];

function sampleReport() {
  const deals: DealSnapshot[] = STAGES.flatMap((stage, index) =>
    [1, 2].map((n) => ({
      id: `${stage}-${n}`,
      name: `${stage} ${n}`,
      stage,
      value: 1_000 * (index + n),
      owners: [],
      createdTime: new Date(NOW - 60 * DAY).toISOString(),
      lastEditedTime: new Date(NOW - (index * 6 + n) * DAY).toISOString(),
      url: "https://www.notion.so/x",
    })),
  );
  return computePipelineReport({
    deals,
    history: new Map(),
    stageOrder: STAGES,
    stuckAfterDays: 21,
    leads: [],
    nowMs: NOW,
  });
}

/** Pixels darker than any bar colour: text (and the thin axis lines). */
function darkPixels(png: PNG, box: { x0: number; y0: number; x1: number; y1: number }): number {
  let dark = 0;
  for (let y = box.y0; y < Math.min(box.y1, png.height); y++) {
    for (let x = box.x0; x < Math.min(box.x1, png.width); x++) {
      const at = (y * png.width + x) * 4;
      if (png.data[at]! < 90 && png.data[at + 1]! < 90 && png.data[at + 2]! < 90) dark++;
    }
  }
  return dark;
}

describe("the report chart", () => {
  it("is a PNG at least 800 pixels wide, not blank, with its labels drawn in the bundled font", async () => {
    const options = { valueFormat: "euro", timeZone: "UTC" };
    const png = PNG.sync.read(await renderReportChart(sampleReport(), options));
    expect(png.width).toBeGreaterThanOrEqual(800);
    expect(png.height).toBeGreaterThan(400);

    const colours = new Set<number>();
    for (let at = 0; at < png.data.length; at += 4 * 97) colours.add(png.data.readUInt32BE(at));
    expect(colours.size).toBeGreaterThan(10);

    // The title "Weekly pipeline report" is the first thing at the top left: it is made of dark pixels.
    expect(
      darkPixels(png, { x0: 0, y0: 0, x1: Math.round(500 * CHART_ZOOM), y1: Math.round(60 * CHART_ZOOM) }),
    ).toBeGreaterThan(1_000);
    // The text in the SVG names the stages and the currency, so the PNG's text comes from them.
    const svg = await reportChartSvg(sampleReport(), options);
    for (const words of ["negotiation", "qualified", "€", "Won and lost value per week"]) expect(svg).toContain(words);
  });

  it("draws no text at all without a font, which is why one ships in an npm package", async () => {
    const { Resvg } = await import("@resvg/resvg-js");
    const svg = await reportChartSvg(sampleReport(), { valueFormat: "dollar", timeZone: "UTC" });
    const bare = PNG.sync.read(
      new Resvg(svg, { fitTo: { mode: "zoom", value: CHART_ZOOM }, font: { loadSystemFonts: false } }).render().asPng(),
    );
    const box = { x0: 0, y0: 0, x1: Math.round(500 * CHART_ZOOM), y1: Math.round(60 * CHART_ZOOM) };
    expect(darkPixels(bare, box)).toBe(0);
  });
});
