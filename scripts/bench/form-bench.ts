import { postBrowserForm } from "../lib/form-post.js";
import { postSignedLead } from "../lib/signed-post.js";
import { sleep } from "../../src/util/sleep.js";
import { waitUntil } from "../lib/wait-until.js";
import { BENCH_FORM_SECRET as FORM_SECRET, startBenchCrm } from "./bench-crm.js";
import { fixed, percentile } from "./measure.js";

/** Notion's budget on Free and Plus, for any 60 s. */
const LIMIT_PER_MINUTE = 180;
/** The paced part: a submission every 1/3 s, an even spread of that budget. */
const PACED_PER_SECOND = LIMIT_PER_MINUTE / 60;
const BURST = 30;
const ORIGIN = "https://www.example.com";

/**
 * /form against /lead with the server in its own process and Notion allowing
 * 180 requests in any 60 s: acknowledgements per second of a 30-submission
 * burst to each (as a ratio), then /form's answer times while 30 submissions
 * arrive 3 a second (the budget spread evenly over the minute).
 */
export async function formBench(): Promise<string[]> {
  const bench = await startBenchCrm(LIMIT_PER_MINUTE);
  const { emulator, crm } = bench;
  try {
    const server = await bench.startServer({
      FORM_ALLOWED_ORIGINS: ORIGIN,
      LEADS_PER_IP_PER_HOUR: "0",
      LEADS_PER_EMAIL_PER_HOUR: "0",
    });
    const url = server.url;
    let written = 0;
    const drained = () =>
      waitUntil(() => emulator.admin.listPages(crm.activities.dataSourceId).length >= written, {
        what: "the queue to drain",
        timeoutMs: 180_000,
        intervalMs: 50,
      });
    const burst = async (send: (i: number) => Promise<{ status: number }>) => {
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: BURST }, (_, i) => send(i)));
      const seconds = (performance.now() - started) / 1000;
      written += BURST;
      await drained();
      return { acksPerSecond: BURST / seconds, seconds, statuses: answers.map((answer) => answer.status) };
    };

    const lead = await burst((i) =>
      postSignedLead(url, { email: `lead${i}@example.com`, name: `Lead ${i}` }, FORM_SECRET),
    );
    const form = await burst((i) => postBrowserForm(url, { email: `form${i}@example.com`, name: `Form ${i}` }, ORIGIN));

    // Paced: one submission every 1/3 s, each timed on its own, while the worker writes the earlier ones.
    const paced = await Promise.all(
      Array.from({ length: BURST }, async (_, i) => {
        await sleep((i * 1000) / PACED_PER_SECOND);
        return postBrowserForm(url, { email: `paced${i}@example.com`, message: `paced ${i}` }, ORIGIN);
      }),
    );
    const times = paced.map((answer) => answer.ms);

    return [
      `POST /form against POST /lead, ${BURST}-submission bursts, an emulator allowing ${LIMIT_PER_MINUTE} requests in any 60 s`,
      `  acks/s: /lead ${fixed(lead.acksPerSecond, 1)} (all answered in ${fixed(lead.seconds, 2)} s; ${summary(lead.statuses)}), ` +
        `/form ${fixed(form.acksPerSecond, 1)} (${fixed(form.seconds, 2)} s; ${summary(form.statuses)}) = ` +
        `${fixed(form.acksPerSecond / lead.acksPerSecond, 1)}x`,
      `  /form at ${PACED_PER_SECOND} submissions/s, ${BURST} submissions: answers p50 ${fixed(percentile(times, 50), 1)} ms, ` +
        `p99 ${fixed(percentile(times, 99), 1)} ms (goal < 100 ms = ${fixed(percentile(times, 99) / 100)}x; ${summary(paced.map((answer) => answer.status))})`,
    ];
  } finally {
    await bench.stop();
  }
}

function summary(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} x ${status}`).join(", ");
}
