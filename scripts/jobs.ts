// `npm run jobs`: what the queues hold, and a way to send dead items again.
//   npm run jobs                         counts, then queued and dead leads and Slack messages
//   npm run jobs -- retry <id> [...]     put dead leads back in the queue
//   npm run jobs -- retry --all-dead     put every dead lead back
//   npm run jobs -- retry-slack <id>     put a dead Slack message back in the outbox
// The running server picks revived items up within a few seconds.
import { parseArgs } from "node:util";
import { runCli } from "../src/cli/run-cli.js";
import { loadConfig } from "../src/config/load-config.js";
import { createLeadQueue, type Submission } from "../src/leads/lead-queue.js";
import { createSlackOutbox, type OutboxItem } from "../src/slack/slack-outbox.js";
import { openStore } from "../src/store/open-store.js";
import { renderForSlack } from "../src/slack/person-mention.js";

const LIST_LIMIT = 50;

runCli(async () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { "all-dead": { type: "boolean", default: false } },
  });
  const config = loadConfig();
  const db = openStore(config.DATA_DIR);
  try {
    const queue = createLeadQueue(db);
    const outbox = createSlackOutbox(db);
    const [command, ...ids] = positionals;
    if (command === "retry") {
      const dead = values["all-dead"] ? queue.list("dead", Number.MAX_SAFE_INTEGER).map((s) => s.id) : ids;
      if (dead.length === 0) throw new Error("name the leads to retry: retry <id> [...], or retry --all-dead");
      return revive(dead, (id) => queue.revive(id), "dead lead");
    }
    if (command === "retry-slack") {
      if (ids.length === 0) throw new Error("name the Slack messages to retry: retry-slack <id> [...]");
      return revive(ids, (id) => outbox.revive(Number(id)), "dead Slack message");
    }
    if (command !== undefined)
      throw new Error(`unknown command "${command}"; use "retry <id>", "retry --all-dead" or "retry-slack <id>"`);

    const counts = queue.counts();
    print(
      `Leads in ${config.DATA_DIR}: ${["queued", "done", "dead", "spam"].map((state) => `${counts[state as Submission["state"]] ?? 0} ${state}`).join(", ")}`,
    );
    for (const state of ["queued", "dead"] as const) {
      const rows = queue.list(state, LIST_LIMIT);
      if (rows.length === 0) continue;
      print(
        `\n${state === "dead" ? "Dead leads (Notion refused them; fix the cause, then `npm run jobs -- retry <id>`)" : "Queued leads (waiting for Notion)"}:`,
      );
      for (const submission of rows) print(describeLead(submission));
    }
    for (const state of ["queued", "dead"] as const) {
      const rows = outbox.list(state, LIST_LIMIT);
      if (rows.length === 0) continue;
      print(
        `\n${state === "dead" ? "Dead Slack messages (Slack refused them; fix the cause, then `npm run jobs -- retry-slack <id>`)" : "Queued Slack messages"}:`,
      );
      for (const item of rows) print(describeMessage(item));
    }
    return 0;
  } finally {
    db.close();
  }
});

function revive(ids: readonly string[], reviveOne: (id: string) => boolean, what: string): number {
  let failed = 0;
  for (const id of ids) {
    if (reviveOne(id)) print(`requeued ${id}`);
    else {
      failed++;
      print(`not requeued ${id}: no ${what} has that id`);
    }
  }
  return failed === 0 ? 0 : 1;
}

function describeLead(submission: Submission): string {
  const received = new Date(submission.receivedAtMs).toISOString();
  const error = submission.lastError === undefined ? "" : `\n    last error: ${submission.lastError}`;
  return `  ${submission.id}  ${received}  ${submission.email}  attempts ${submission.attempts}${error}`;
}

function describeMessage(item: OutboxItem): string {
  const created = new Date(item.createdAtMs).toISOString();
  const error = item.lastError === undefined ? "" : `\n    last error: ${item.lastError}`;
  return `  ${item.id}  ${created}  ${renderForSlack(item.message).text.slice(0, 80)}  attempts ${item.attempts}${error}`;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
