// `npm run jobs`: what the lead queue holds, and a way to send dead leads again.
//   npm run jobs                      counts, then queued and dead leads
//   npm run jobs -- retry <id> [...]  put dead leads back in the queue
//   npm run jobs -- retry --all-dead  put every dead lead back
// The running server picks revived leads up within a few seconds.
import { parseArgs } from "node:util";
import { runCli } from "../src/cli/run-cli.js";
import { loadConfig } from "../src/config/load-config.js";
import { createLeadQueue, type Submission } from "../src/leads/lead-queue.js";
import { openStore } from "../src/store/open-store.js";

const LIST_LIMIT = 50;

runCli(async () => {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { "all-dead": { type: "boolean", default: false } } });
  const config = loadConfig();
  const db = openStore(config.DATA_DIR);
  try {
    const queue = createLeadQueue(db);
    const [command, ...ids] = positionals;
    if (command === "retry") return retry(queue, values["all-dead"] ? queue.list("dead", Number.MAX_SAFE_INTEGER).map((s) => s.id) : ids);
    if (command !== undefined) throw new Error(`unknown command "${command}"; use "retry <id>" or "retry --all-dead"`);
    const counts = queue.counts();
    print(`Leads in ${config.DATA_DIR}: ${["queued", "done", "dead", "spam"].map((state) => `${counts[state as Submission["state"]] ?? 0} ${state}`).join(", ")}`);
    for (const state of ["queued", "dead"] as const) {
      const rows = queue.list(state, LIST_LIMIT);
      if (rows.length === 0) continue;
      print(`\n${state === "dead" ? "Dead (Notion refused them; fix the cause, then `npm run jobs -- retry <id>`)" : "Queued (waiting for Notion)"}:`);
      for (const submission of rows) print(describe(submission));
    }
    return 0;
  } finally {
    db.close();
  }
});

function retry(queue: ReturnType<typeof createLeadQueue>, ids: readonly string[]): number {
  if (ids.length === 0) throw new Error("name the leads to retry: retry <id> [...], or retry --all-dead");
  let failed = 0;
  for (const id of ids) {
    if (queue.revive(id)) print(`requeued ${id}`);
    else {
      failed++;
      print(`not requeued ${id}: no dead lead has that id`);
    }
  }
  return failed === 0 ? 0 : 1;
}

function describe(submission: Submission): string {
  const received = new Date(submission.receivedAtMs).toISOString();
  const error = submission.lastError === undefined ? "" : `\n    last error: ${submission.lastError}`;
  return `  ${submission.id}  ${received}  ${submission.email}  attempts ${submission.attempts}${error}`;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
