import { passed, type CheckOutcome, type CheckResult } from "./check-result.js";
import { plural } from "../util/plural.js";

const MARKS: Record<CheckOutcome, string> = { pass: "✓", warn: "!", fail: "✗", skip: "-" };

/** The report a person reads: one marked line per result, then a verdict. */
export function formatCheckReport(results: readonly CheckResult[]): string {
  const lines = results.map((result) => `${MARKS[result.outcome]} ${result.name}: ${result.detail}`);
  const count = (outcome: CheckOutcome) => results.filter((result) => result.outcome === outcome).length;
  const warnings = count("warn");
  const warned = warnings === 0 ? "" : ` (${plural(warnings, "warning")})`;
  const verdict = passed(results)
    ? `All checks passed${warned}.`
    : `${plural(count("fail"), "problem")} found${warned}; fix ${count("fail") === 1 ? "it" : "them"} and run \`npm run check\` again.`;
  return `${lines.join("\n")}\n\n${verdict}\n`;
}
