import { postBrowserForm } from "../lib/form-post.js";
import { stateFileBytes } from "../lib/state-file-bytes.js";
import { postSignedLead } from "../lib/signed-post.js";
import { waitUntil } from "../lib/wait-until.js";
import { BENCH_FORM_SECRET as FORM_SECRET, startBenchCrm } from "./bench-crm.js";
import { fixed } from "./measure.js";

const ORIGIN = "https://www.example.com";
const FORM_OPEN = { FORM_ALLOWED_ORIGINS: ORIGIN, LEADS_PER_IP_PER_HOUR: "0", LEADS_PER_EMAIL_PER_HOUR: "0" };
const MB = 1024 * 1024;

async function inBatches(count: number, size: number, send: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += size) {
    await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, k) => send(start + k)));
  }
}

/** The state file's growth per 1,000 leads written to Notion, and per 1,000 honeypot posts (16 KiB each). */
export async function diskBench(): Promise<string[]> {
  // Notion's budget is not what is measured here: a generous one keeps the bench short.
  const bench = await startBenchCrm(60_000);
  try {
    const { url } = await bench.startServer(FORM_OPEN);
    const start = stateFileBytes(bench.dataDir);
    await inBatches(1_000, 50, (i) =>
      postSignedLead(url, { email: `lead${i}@example.com`, name: `Lead ${i}`, message: "x".repeat(500) }, FORM_SECRET),
    );
    await waitUntil(() => bench.emulator.admin.listPages(bench.crm.activities.dataSourceId).length >= 1_000, {
      what: "1,000 leads in Notion",
      timeoutMs: 600_000,
      intervalMs: 200,
    });
    const afterLeads = stateFileBytes(bench.dataDir);
    const body = "y".repeat(16 * 1024);
    await inBatches(1_000, 50, (i) =>
      postBrowserForm(url, { email: `bot${i}@spam.example`, message: `${body}${i}`, _gotcha: "bot" }, ORIGIN),
    );
    const afterSpam = stateFileBytes(bench.dataDir);
    return [
      "State file growth (WAL checkpointed)",
      `  per 1,000 leads (500-character message, in Notion): ${fixed((afterLeads - start) / MB)} MB`,
      `  per 1,000 honeypot posts of 16 KiB: ${fixed((afterSpam - afterLeads) / MB)} MB ` +
        `(goal: 2,000 under 1 MB = ${fixed((2 * (afterSpam - afterLeads)) / MB)}x)`,
    ];
  } finally {
    await bench.stop();
  }
}

const OUTAGE_MS = 60_000;
const WAITING_LEADS = 20;

/** A Notion outage with leads waiting on backoff: the time from Notion's return to the last waiting lead in Notion. */
export async function recoveryBench(): Promise<string[]> {
  const perMinute = 180;
  const bench = await startBenchCrm(perMinute);
  try {
    const { url } = await bench.startServer();
    bench.emulator.faults.unavailableFor(OUTAGE_MS, 503);
    const outageEnds = Date.now() + OUTAGE_MS;
    await inBatches(WAITING_LEADS, WAITING_LEADS, (i) =>
      postSignedLead(url, { email: `waiting${i}@example.com`, name: `Waiting ${i}` }, FORM_SECRET),
    );
    await waitUntil(() => bench.emulator.admin.listPages(bench.crm.activities.dataSourceId).length >= WAITING_LEADS, {
      what: "the waiting leads in Notion",
      timeoutMs: OUTAGE_MS + 600_000,
      intervalMs: 50,
    });
    const seconds = (Date.now() - outageEnds) / 1000;
    // Two calls a lead (contact, activity): 40 fit in one minute's budget, so the rate adds nothing to wait for.
    return [
      `Recovery after a ${OUTAGE_MS / 1000} s Notion outage, ${WAITING_LEADS} leads waiting on backoff, ${perMinute} requests a minute`,
      `  last waiting lead in Notion ${fixed(seconds, 1)} s after Notion's return ` +
        `(goal within 30 s = ${fixed(seconds / 30)}x; each lead's own backoff would have been up to 5 minutes)`,
    ];
  } finally {
    await bench.stop();
  }
}

const FLOOD = 500;

/** A signed lead's time to Notion while 500 /form posts wait (Notion's budget of 180 requests a minute). */
export async function fairnessBench(): Promise<string[]> {
  const bench = await startBenchCrm(180);
  try {
    const { url } = await bench.startServer(FORM_OPEN);
    await inBatches(FLOOD, 50, (i) =>
      postBrowserForm(url, { email: `flood${i}@example.com`, name: `Flood ${i}` }, ORIGIN),
    );
    const started = Date.now();
    await postSignedLead(url, { email: "signed@example.com", name: "Signed" }, FORM_SECRET);
    await waitUntil(
      () =>
        bench.emulator.admin
          .listPages(bench.crm.contacts.dataSourceId)
          .some((page) => (page.properties["Email"] as { email: string | null }).email === "signed@example.com"),
      { what: "the signed lead in Notion", timeoutMs: 600_000, intervalMs: 50 },
    );
    const seconds = (Date.now() - started) / 1000;
    const written = bench.emulator.admin.listPages(bench.crm.contacts.dataSourceId).length - 1;
    return [
      `A signed /lead during a ${FLOOD}-post /form flood, Notion at 180 requests a minute`,
      `  in Notion after ${fixed(seconds, 1)} s, with ${written} of the ${FLOOD} /form leads written before it ` +
        `(goal under 5 s = ${fixed(seconds / 5)}x; it was 156 s before signed leads went first)`,
    ];
  } finally {
    await bench.stop();
  }
}
