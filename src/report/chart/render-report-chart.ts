import { Resvg } from "@resvg/resvg-js";
import { createRequire } from "node:module";
import { parse, View } from "vega";
import { compile } from "vega-lite";
import type { PipelineReport } from "../pipeline-report.js";
import { CHART_FONT, reportChartSpec } from "./report-chart-spec.js";

/** The PNG is drawn at this zoom of the SVG: about 1,200 px wide, sharp in Slack. */
export const CHART_ZOOM = 1.5;

// The font ships inside an npm package: a bare server has no system fonts,
// and resvg then draws no text at all, so it is loaded explicitly and the
// system's fonts are never looked at (the chart looks the same everywhere).
const require = createRequire(import.meta.url);
export const CHART_FONT_FILES = [
  require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
  require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
];

export type ChartOptions = { valueFormat: string | undefined; timeZone: string };

/** The chart as SVG: Vega-Lite compiled to Vega, rendered server-side with no canvas. */
export async function reportChartSvg(report: PipelineReport, options: ChartOptions): Promise<string> {
  const { spec } = compile(reportChartSpec(report, options));
  const view = new View(parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The chart as a PNG (about 1,200 px wide), with the bundled font. */
export async function renderReportChart(report: PipelineReport, options: ChartOptions): Promise<Buffer> {
  const svg = await reportChartSvg(report, options);
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: CHART_ZOOM },
    background: "white",
    font: {
      loadSystemFonts: false,
      fontFiles: CHART_FONT_FILES,
      defaultFontFamily: CHART_FONT,
      sansSerifFamily: CHART_FONT,
    },
  });
  return resvg.render().asPng();
}
