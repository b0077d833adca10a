import type { TopLevelSpec } from "vega-lite";
import { formatDealValue } from "../../notion/format-deal-value.js";
import type { PipelineReport } from "../pipeline-report.js";

/** The font the chart names; render-report-chart.ts loads it from an npm package. */
export const CHART_FONT = "DejaVu Sans";
export const CHART_WIDTH = 720;
export const WON_COLOR = "#2e9e5b";
export const LOST_COLOR = "#d1495b";
export const OPEN_COLOR = "#3a6ea5";

/**
 * The weekly chart as a Vega-Lite spec: open pipeline value by stage (in
 * the Stage options' order), and won against lost value for each of the
 * last 8 weeks. Each bar carries its value in the Value property's currency.
 */
export function reportChartSpec(
  report: PipelineReport,
  options: { valueFormat: string | undefined; timeZone: string },
): TopLevelSpec {
  const money = (value: number) => formatDealValue(value, options.valueFormat);
  const weekLabel = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: options.timeZone });
  const stages = report.open.map((line) => line.stage);
  const weeks = report.weeks.map((week) => weekLabel.format(week.startMs));
  const valueAxis = { title: null, labelExpr: "''", ticks: false, domain: false, grid: false };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    padding: 24,
    title: { text: "Weekly pipeline report", fontSize: 22, anchor: "start" },
    config: {
      font: CHART_FONT,
      axis: { labelFontSize: 13, titleFontSize: 13 },
      title: { fontSize: 16, anchor: "start" },
      legend: { labelFontSize: 13, titleFontSize: 13 },
      view: { stroke: null },
    },
    vconcat: [
      {
        title: `Open pipeline by stage: ${money(report.openValue)} in ${report.openCount} deals`,
        width: CHART_WIDTH,
        height: 220,
        data: {
          values: report.open.map((line) => ({
            stage: line.stage,
            value: line.value,
            label: `${money(line.value)} (${line.count})`,
          })),
        },
        encoding: {
          x: { field: "stage", type: "nominal", sort: stages, axis: { title: null, labelAngle: 0 } },
          y: { field: "value", type: "quantitative", axis: valueAxis },
        },
        layer: [
          { mark: { type: "bar", color: OPEN_COLOR, cornerRadiusEnd: 3 } },
          {
            mark: { type: "text", dy: -8, fontSize: 13, color: "#222" },
            encoding: { text: { field: "label", type: "nominal" } },
          },
        ],
      },
      {
        title: "Won and lost value per week (last 8 weeks, by the week's first day)",
        width: CHART_WIDTH,
        height: 220,
        data: {
          values: report.weeks.flatMap((week, index) => [
            { week: weeks[index], outcome: "won", value: week.won, label: week.won === 0 ? "" : money(week.won) },
            { week: weeks[index], outcome: "lost", value: week.lost, label: week.lost === 0 ? "" : money(week.lost) },
          ]),
        },
        encoding: {
          x: { field: "week", type: "nominal", sort: weeks, axis: { title: null, labelAngle: 0 } },
          xOffset: { field: "outcome", type: "nominal", sort: ["won", "lost"] },
          y: { field: "value", type: "quantitative", axis: valueAxis },
        },
        layer: [
          {
            mark: { type: "bar", cornerRadiusEnd: 3 },
            encoding: {
              color: {
                field: "outcome",
                type: "nominal",
                scale: { domain: ["won", "lost"], range: [WON_COLOR, LOST_COLOR] },
                legend: { title: null, orient: "bottom" },
              },
            },
          },
          {
            mark: { type: "text", dy: -8, fontSize: 10, color: "#222" },
            encoding: { text: { field: "label", type: "nominal" } },
          },
        ],
      },
    ],
  };
}
