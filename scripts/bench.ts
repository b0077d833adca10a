// `npm run bench`: speed against the limits that matter, printed as ratios.
// Nothing here asserts; the test suite never times anything.
import { burstMemoryBench } from "./bench/burst-memory-bench.js";
import { clickBench } from "./bench/click-bench.js";
import { digestBench } from "./bench/digest-bench.js";
import { emailBench } from "./bench/email-bench.js";
import { formBench } from "./bench/form-bench.js";
import { gatewayBench } from "./bench/gateway-bench.js";
import { heldBench } from "./bench/held-bench.js";
import { importBench } from "./bench/import-bench.js";
import { importMemoryBench } from "./bench/import-memory-bench.js";
import { leadBench } from "./bench/lead-bench.js";
import { limitsBench } from "./bench/limits-bench.js";
import { pollBench } from "./bench/poll-bench.js";
import { reportBench } from "./bench/report-bench.js";
import { diskBench, fairnessBench, recoveryBench } from "./bench/production-bench.js";
import { webhookBench } from "./bench/webhook-bench.js";

const benches: Array<[string, () => Promise<string[]>]> = [
  ["gateway", gatewayBench],
  ["leads", leadBench],
  ["limits", limitsBench],
  ["burst", burstMemoryBench],
  ["webhook", webhookBench],
  ["digest", digestBench],
  ["poll", pollBench],
  ["held", heldBench],
  ["form", formBench],
  ["import", importBench],
  ["import-memory", importMemoryBench],
  ["report", reportBench],
  ["clicks", clickBench],
  ["email", emailBench],
  ["disk", diskBench],
  ["recovery", recoveryBench],
  ["fairness", fairnessBench],
];
const only = process.argv[2];
const HELP = `Usage: npm run bench [-- <name>]

Runs the benchmarks, all or the one named:
  ${benches.map(([name]) => name).join(", ")}
against a Notion emulator held to Notion's request rate, and prints each
result as a ratio to its limit; nothing is asserted. Takes minutes.`;
if (only === "--help" || only === "-h") {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
if (only !== undefined && !benches.some(([name]) => name === only)) {
  process.stderr.write(`unknown benchmark "${only}"\n${HELP}\n`);
  process.exit(2);
}

for (const [name, bench] of benches.filter(([name]) => only === undefined || name === only)) {
  const started = Date.now();
  const lines = await bench();
  process.stdout.write(`${lines.join("\n")}\n  (${name}: ${((Date.now() - started) / 1000).toFixed(1)} s)\n\n`);
}
