// `npm run bench`: speed against the limits that matter, printed as ratios.
// Nothing here asserts; the test suite never times anything.
import { burstMemoryBench } from "./bench/burst-memory-bench.js";
import { digestBench } from "./bench/digest-bench.js";
import { gatewayBench } from "./bench/gateway-bench.js";
import { leadBench } from "./bench/lead-bench.js";
import { webhookBench } from "./bench/webhook-bench.js";

const benches: Array<[string, () => Promise<string[]>]> = [
  ["gateway", gatewayBench],
  ["leads", leadBench],
  ["burst", burstMemoryBench],
  ["webhook", webhookBench],
  ["digest", digestBench],
];
const only = process.argv[2];

for (const [name, bench] of benches.filter(([name]) => only === undefined || name === only)) {
  const started = Date.now();
  const lines = await bench();
  process.stdout.write(`${lines.join("\n")}\n  (${name}: ${((Date.now() - started) / 1000).toFixed(1)} s)\n\n`);
}
