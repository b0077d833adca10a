import { readFileSync } from "node:fs";
import { postSignedLead } from "../lib/signed-post.js";
import { waitUntil } from "../lib/wait-until.js";
import { BENCH_FORM_SECRET as FORM_SECRET, startBenchCrm } from "./bench-crm.js";
import { fixed, percentile } from "./measure.js";

const LIMIT_PER_MINUTE = 180;
const BURST = 30;
/** One answer of the emulator: Notion's own round trip is of this order. */
const LATENCY_MS = 100;

/**
 * A burst of 30 new leads, then 30 repeats of the same emails, against an
 * emulator allowing 180 requests in any 60 s (one burst fits), answering
 * after 100 ms, with the server in its own process. Ideal: every lead in
 * parallel, so its own calls one after another, one round trip each.
 */
export async function leadBench(): Promise<string[]> {
  const bench = await startBenchCrm(LIMIT_PER_MINUTE);
  const { emulator, crm } = bench;
  try {
    const server = await bench.startServer({}, { compiled: true });
    emulator.faults.latencyMs = LATENCY_MS;
    const lines = [
      `POST /lead bursts against an emulator allowing ${LIMIT_PER_MINUTE} requests in any 60 s, ${LATENCY_MS} ms a round trip, Activities on (drain = time until all ${BURST} are in Notion; ideal = one lead's calls, one round trip each, all leads in parallel; goal <= 2 s)`,
    ];
    for (const [label, tag] of [
      ["30 new leads", "new"],
      ["30 repeat leads", "repeat"],
    ] as const) {
      emulator.stats.reset();
      const activitiesBefore = emulator.admin.listPages(crm.activities.dataSourceId).length;
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          postSignedLead(
            server.url,
            { email: `lead${i}@example.com`, name: `Lead ${i}`, message: `${tag} ${i}` },
            FORM_SECRET,
          ),
        ),
      );
      await waitUntil(() => emulator.admin.listPages(crm.activities.dataSourceId).length >= activitiesBefore + BURST, {
        what: "the queue to drain",
        timeoutMs: 180_000,
        intervalMs: 50,
      });
      const drainMs = Date.now() - started;
      const calls = emulator.stats.requests.length;
      const idealMs = Math.ceil(calls / BURST) * LATENCY_MS;
      const times = answers.map((answer) => answer.ms);
      const statuses = countBy(answers.map((answer) => answer.status));
      lines.push(
        `  ${label.padEnd(16)} answers p50 ${fixed(percentile(times, 50) / 1000, 2)} s, p99 ${fixed(percentile(times, 99) / 1000, 2)} s (${statuses}); ` +
          `drain ${fixed(drainMs / 1000, 1)} s vs ideal ${fixed(idealMs / 1000, 1)} s = ${fixed(drainMs / idealMs)}x; ` +
          `${fixed(calls / BURST)} Notion calls per lead; ${fixed((100 * answers.filter((a) => a.status === 200).length) / BURST, 0)}% answered 200; ${emulator.stats.rateLimited} x 429`,
      );
    }
    lines.push(`  server peak RSS ${peakRssMb(server.child.pid!)} MB (node dist/src/main.js)`);
    return lines;
  } finally {
    await bench.stop();
  }
}

function countBy(values: number[]): string {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([value, count]) => `${count} x ${value}`)
    .join(", ");
}

/** VmHWM: the process's peak resident set, from Linux's /proc. */
function peakRssMb(pid: number): string {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match?.[1] === undefined ? "?" : fixed(Number(match[1]) / 1024, 0);
}
