import { readFileSync } from "node:fs";
import { postSignedLead, type PostAnswer } from "../lib/signed-post.js";
import { BENCH_FORM_SECRET as FORM_SECRET, startBenchCrm } from "./bench-crm.js";
import { fixed, percentile } from "./measure.js";

const LEADS = 2_000;
const CONNECTIONS = 500;
/** Notion's budget on Free and Plus, for any 60 s. */
const LIMIT_PER_MINUTE = 180;
/** The goal for a $5 VPS. */
const PEAK_RSS_GOAL_MB = 120;

/**
 * 2,000 new leads sent over 500 concurrent connections to the compiled
 * server (`node dist/src/main.js`), against an emulator allowing 180 requests in any 60 s:
 * most answers wait for Notion, so the burst holds as much as it ever will.
 * Reports the server's peak RSS (VmHWM) over the burst, started with the
 * Node flags `npm start` and the systemd unit use (SERVER_NODE_FLAGS).
 */
export async function burstMemoryBench(): Promise<string[]> {
  const bench = await startBenchCrm(LIMIT_PER_MINUTE);
  const { emulator, crm } = bench;
  try {
    const server = await bench.startServer({}, { compiled: true });
    const pid = server.child.pid!;
    const startRssMb = rssMb(pid, "VmRSS");
    let next = 0;
    const answers: PostAnswer[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        for (let i = next++; i < LEADS; i = next++) {
          answers.push(
            await postSignedLead(
              server.url,
              { email: `burst${i}@example.com`, name: `Burst ${i}`, message: `Hello from lead ${i}, about pricing.` },
              FORM_SECRET,
            ),
          );
        }
      }),
    );
    const burstMs = Date.now() - started;
    const times = answers.map((answer) => answer.ms);
    const peakMb = rssMb(pid, "VmHWM");
    return [
      `${LEADS} new leads over ${CONNECTIONS} concurrent connections, emulator allowing ${LIMIT_PER_MINUTE} requests in any 60 s (node dist/src/main.js)`,
      `  answers in ${fixed(burstMs / 1000, 1)} s: p50 ${fixed(percentile(times, 50) / 1000, 2)} s, p99 ${fixed(percentile(times, 99) / 1000, 2)} s (${countBy(answers.map((answer) => answer.status))})`,
      `  server RSS at start ${fixed(startRssMb, 0)} MB, peak ${fixed(peakMb, 0)} MB (goal ≤ ${PEAK_RSS_GOAL_MB} MB: ${peakMb <= PEAK_RSS_GOAL_MB ? "met" : "MISSED"})`,
    ];
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

/** A figure from Linux's /proc status, in MB (VmHWM: the peak resident set). */
function rssMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match?.[1] === undefined ? Number.NaN : Number(match[1]) / 1024;
}
