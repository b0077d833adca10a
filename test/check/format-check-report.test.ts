import { describe, expect, it } from "vitest";
import { formatCheckReport } from "../../src/check/format-check-report.js";

describe("formatCheckReport", () => {
  it("marks each line by outcome and ends with a verdict that counts problems and warnings", () => {
    const report = formatCheckReport([
      { name: "Settings", outcome: "pass", detail: "fine" },
      { name: "Notion", outcome: "fail", detail: "down" },
      { name: "Notion schema", outcome: "skip", detail: "not checked" },
      { name: "Slack", outcome: "warn", detail: "unset" },
    ]);
    expect(report).toBe(
      "✓ Settings: fine\n✗ Notion: down\n- Notion schema: not checked\n! Slack: unset\n\n1 problem found (1 warning); fix it and run `npm run check` again.\n",
    );
  });

  it("passes when only warnings and skips are left", () => {
    expect(formatCheckReport([{ name: "Slack", outcome: "warn", detail: "unset" }])).toMatch(
      /\n\nAll checks passed \(1 warning\)\.\n$/,
    );
  });
});
