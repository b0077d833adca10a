import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { waitUntil } from "../lib/wait-until.js";
import { startBenchCrm } from "./bench-crm.js";
import { fixed, percentile } from "./measure.js";

const LIMIT_PER_SECOND = 3;
const SECRET = "bench-inbound-email-secret";
const TEAM = "acme.example";
/** Emails measured for Notion calls each (one contact each, all already in Notion). */
const LOGGED = 20;
/** Emails sent at once while Notion is saturated. */
const BURST = 200;
const CONNECTIONS = 20;
/** The memory run: this many emails of about 1 MB each. */
const BIG_EMAILS = 200;
const BIG_EMAIL_BYTES = 1024 * 1024;
const BIG_CONNECTIONS = 10;
const PEAK_RSS_GOAL_MB = 150;

/**
 * Logging emails, against the server in its own process and an emulator at
 * Notion's 3 req/s: Notion calls per logged email (goal 1 update, plus 1
 * create with Activities), emails accepted per second while Notion is
 * saturated, and the compiled server's peak RSS while taking 200 emails of
 * 1 MB each (goal ≤ 150 MB).
 */
export async function emailBench(): Promise<string[]> {
  const lines = [`Logged emails (/inbound-email/raw), an emulator limited to ${LIMIT_PER_SECOND} req/s`];
  lines.push(...(await callsAndAcceptance()));
  lines.push(...(await bigEmailsMemory()));
  return lines;
}

async function callsAndAcceptance(): Promise<string[]> {
  const bench = await startBenchCrm(LIMIT_PER_SECOND);
  const { emulator, crm } = bench;
  try {
    for (let i = 0; i < LOGGED; i++) insertLead(bench, `lead${i}@example.com`);
    const server = await bench.startServer(emailSettings());
    // The schema check's reads are not the emails'.
    await waitUntil(() => /"msg":"server listening"/.test(server.output()), { what: "the server" });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    emulator.stats.reset();
    const answers = await Promise.all(
      Array.from({ length: LOGGED }, (_, i) => postRaw(server.url, sentEmail(`calls-${i}`, `lead${i}@example.com`))),
    );
    await waitUntil(() => emulator.admin.listPages(crm.activities.dataSourceId).length >= LOGGED, {
      what: "every email in Notion",
      timeoutMs: 120_000,
      intervalMs: 50,
    });
    const requests = emulator.stats.requests.filter((request) => request.status !== 429);
    const count = (method: string, path: RegExp) =>
      requests.filter((request) => request.method === method && path.test(request.path)).length / LOGGED;
    const updates = count("PATCH", /^\/v1\/pages\/[^/]+$/);
    const creates = count("POST", /^\/v1\/pages$/);
    const reads = count("GET", /^\/v1\/pages\/[^/]+$/) + count("POST", /^\/v1\/data_sources\/[^/]+\/query$/);
    const total = requests.length / LOGGED;

    // Saturated: the worker has a backlog of BURST emails at 3 req/s; how fast are they taken?
    let next = 0;
    const statuses: number[] = [];
    const times: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        for (let i = next++; i < BURST; i = next++) {
          const answer = await postRaw(server.url, sentEmail(`burst-${i}`, `lead${i % LOGGED}@example.com`));
          statuses.push(answer.status);
          times.push(answer.ms);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const notionPerSecond = LIMIT_PER_SECOND / total;
    return [
      `  Notion calls per logged email (${LOGGED} sent emails, one contact each, Activities on): ${fixed(total, 2)} ` +
        `= ${fixed(updates, 2)} update + ${fixed(creates, 2)} create + ${fixed(reads, 2)} read ` +
        `(goal 1 update + 1 create = 2: ${fixed(total / 2)}x; the read is Last Contacted's "if later"); ` +
        `answers: ${summary(answers.map((answer) => answer.status))}`,
      `  accepted with Notion saturated: ${BURST} emails over ${CONNECTIONS} connections in ${fixed(seconds, 1)} s = ` +
        `${fixed(BURST / seconds, 1)} emails/s, ${fixed(BURST / seconds / notionPerSecond, 1)}x what Notion can apply ` +
        `(${fixed(notionPerSecond, 2)}/s); answers p50 ${fixed(percentile(times, 50) / 1000, 2)} s, ` +
        `p99 ${fixed(percentile(times, 99) / 1000, 2)} s (each waits up to 2 s for Notion); ${summary(statuses)}`,
    ];
  } finally {
    await bench.stop();
  }
}

async function bigEmailsMemory(): Promise<string[]> {
  const bench = await startBenchCrm(LIMIT_PER_SECOND);
  try {
    insertLead(bench, "big@example.com");
    const server = await bench.startServer(emailSettings(), { compiled: true });
    const pid = server.child.pid!;
    const startMb = rssMb(pid, "VmRSS");
    const attachment = randomBytes(Math.floor((BIG_EMAIL_BYTES * 3) / 4) - 4096);
    let next = 0;
    const statuses: number[] = [];
    let bytes = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: BIG_CONNECTIONS }, async () => {
        for (let i = next++; i < BIG_EMAILS; i = next++) {
          const raw = bigEmail(`big-${i}`, attachment);
          bytes += raw.length;
          statuses.push((await postRaw(server.url, raw)).status);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const peakMb = rssMb(pid, "VmHWM");
    return [
      `  ${BIG_EMAILS} emails of ${fixed(bytes / BIG_EMAILS / 1024 / 1024, 2)} MB (a base64 attachment) over ${BIG_CONNECTIONS} connections ` +
        `to node dist/src/main.js: ${fixed(seconds, 1)} s (${summary(statuses)}); server RSS at start ${fixed(startMb, 0)} MB, ` +
        `peak ${fixed(peakMb, 0)} MB (goal ≤ ${PEAK_RSS_GOAL_MB} MB = ${fixed(peakMb / PEAK_RSS_GOAL_MB)}x)`,
    ];
  } finally {
    await bench.stop();
  }
}

function emailSettings(): Record<string, string> {
  return { TEAM_EMAIL_DOMAINS: TEAM, INBOUND_EMAIL_SECRET: SECRET };
}

function insertLead(bench: Awaited<ReturnType<typeof startBenchCrm>>, email: string): void {
  bench.emulator.admin.insertPage(bench.crm.contacts.dataSourceId, {
    Name: { title: [{ text: { content: email } }] },
    Email: { email },
    Status: { select: { name: "new lead" } },
  });
}

function sentEmail(id: string, to: string): Buffer {
  return Buffer.from(
    [
      `From: Sam <sam@${TEAM}>`,
      `To: ${to}`,
      "Subject: Following up",
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <${id}@${TEAM}>`,
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Hello, following up on your request. Best, Sam",
      "",
    ].join("\r\n"),
  );
}

function bigEmail(id: string, attachment: Buffer): Buffer {
  const base64 = attachment.toString("base64").replace(/.{76}/g, "$&\r\n");
  return Buffer.from(
    [
      `From: Sam <sam@${TEAM}>`,
      "To: big@example.com",
      "Subject: The proposal",
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <${id}@${TEAM}>`,
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Here is the proposal.",
      "--b",
      'Content-Type: application/pdf; name="proposal.pdf"',
      "Content-Transfer-Encoding: base64",
      "",
      base64,
      "--b--",
      "",
    ].join("\r\n"),
  );
}

async function postRaw(url: string, raw: Buffer): Promise<{ status: number; ms: number }> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", SECRET).update(`${timestamp}.`).update(raw).digest("hex");
  const started = performance.now();
  const response = await fetch(`${url}/inbound-email/raw`, {
    method: "POST",
    headers: {
      "Content-Type": "message/rfc822",
      "X-CRM-Timestamp": timestamp,
      "X-CRM-Signature": `sha256=${signature}`,
    },
    body: raw,
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

function summary(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} x ${status}`).join(", ");
}

/** A figure from Linux's /proc status, in MB (VmHWM: the peak resident set). */
function rssMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match?.[1] === undefined ? Number.NaN : Number(match[1]) / 1024;
}
