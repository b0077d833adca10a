import { parseArgs } from "node:util";
import { formatDuration } from "../alerts/format-duration.js";
import type { Config } from "../config/load-config.js";
import { createDealPollStore } from "../deal-webhooks/deal-poll-store.js";
import { describeDealPoll } from "../deal-webhooks/describe-deal-poll.js";
import { createLeadQueue, type LeadQueue, type Submission } from "../leads/lead-queue.js";
import { createNotionEventStore } from "../deal-webhooks/notion-event-store.js";
import { notionPageUrl } from "../leads/notion-page-url.js";
import { createCreateHold, type CreateHold } from "../notion/create-hold.js";
import { CREATES_REFUSED_CAUSES } from "../notion/is-create-refused.js";
import { renderForSlack } from "../slack/person-mention.js";
import { createSlackOutbox, type OutboxItem } from "../slack/slack-outbox.js";
import { openStore } from "../store/open-store.js";

const LIST_LIMIT = 50;
export const JOBS_HELP = `Usage:
  npm run jobs                         counts of leads by state, then queued and dead leads and Slack messages
  npm run jobs -- find <email>         every submission from that address: time, state, Notion page, last error
  npm run jobs -- retry <id> [...]     puts dead leads back in the queue
  npm run jobs -- retry --all-dead     puts every dead lead back
  npm run jobs -- retry-slack <id>     puts a dead Slack message back in the outbox
  npm run jobs -- retry-slack          sends the Slack messages held while Slack refused the token or channel
  npm run jobs -- discard <id> [...]   drops dead leads, deal events or Slack messages for good
  npm run jobs -- --help               this text

Reads the state file in DATA_DIR (default ./data). The running server picks
revived items up within a few seconds.`;

/** Why a submission has no Notion page, where "yet" would be wrong. */
const NO_PAGE = { spam: "never sent to Notion (spam)", dead: "no Notion page (Notion refused it)" } as const;

export type JobsConfig = Pick<Config, "DATA_DIR" | "NOTION_HOLD_RETRY_SECONDS">;
export type JobsIo = {
  /** Where each line of the report goes. */
  print: (line: string) => void;
  now?: () => number;
};

/**
 * `npm run jobs`: what the queues hold, what happened to one person's forms,
 * and a way to send dead items again (see JOBS_HELP). Reads every queue
 * through its API. Returns the exit status; a wrong command line throws.
 */
export function jobsCommand(argv: readonly string[], config: JobsConfig, io: JobsIo): number {
  const { print } = io;
  const now = io.now ?? Date.now;
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { "all-dead": { type: "boolean", default: false } },
  });
  const db = openStore(config.DATA_DIR);
  try {
    const queue = createLeadQueue(db);
    const outbox = createSlackOutbox(db);
    const [command, ...ids] = positionals;
    if (command === "retry") {
      const dead = values["all-dead"] ? queue.list("dead", Number.MAX_SAFE_INTEGER).map((s) => s.id) : ids;
      if (dead.length === 0) throw new Error("name the leads to retry: retry <id> [...], or retry --all-dead");
      return revive(print, dead, (id) => queue.revive(id), "dead lead");
    }
    if (command === "find") {
      const [email, ...extra] = ids;
      if (email === undefined || extra.length > 0) throw new Error("name one email address: find <email>");
      return traceEmail(print, email, queue.forEmail(email), config.DATA_DIR);
    }
    if (command === "retry-slack") {
      if (ids.length === 0) {
        // Held messages: Slack refused the token, webhook or channel; the fix is made, send them.
        print(`released ${outbox.releaseHeld()} held Slack messages; the running server sends them within seconds`);
        return 0;
      }
      return revive(print, ids, (id) => outbox.revive(Number(id)), "dead Slack message");
    }
    if (command === "discard") {
      if (ids.length === 0) throw new Error("name the dead items to drop: discard <id> [...]");
      const events = createNotionEventStore(db);
      return discard(print, ids, (id) => {
        if (queue.discard(id)) return "dead lead";
        if (events.discard(id)) return "dead deal event";
        return /^\d+$/.test(id) && outbox.discard(Number(id)) ? "dead Slack message" : undefined;
      });
    }
    if (command !== undefined)
      throw new Error(
        `unknown command "${command}"; use "find <email>", "retry <id>", "retry --all-dead", "retry-slack [<id>]" or "discard <id>" (--help says more)`,
      );

    const counts = queue.counts();
    print(
      `Leads in ${config.DATA_DIR}: ${["queued", "done", "dead", "spam"].map((state) => `${counts[state as Submission["state"]] ?? 0} ${state}`).join(", ")}`,
    );
    print(describeDealPoll(createDealPollStore(db).get()));
    printHeld(print, now(), queue, createCreateHold(db, { retryMs: config.NOTION_HOLD_RETRY_SECONDS * 1000 }));
    for (const state of ["queued", "dead"] as const) {
      // Held leads are queued too, but listed above as held.
      const rows = queue.list(state, LIST_LIMIT).filter((submission) => submission.heldSinceMs === undefined);
      if (rows.length === 0) continue;
      print(
        `\n${state === "dead" ? "Dead leads (Notion refused them; fix the cause, then `npm run jobs -- retry <id>`)" : "Queued leads (waiting for Notion)"}:`,
      );
      for (const submission of rows) print(describeLead(submission));
    }
    const heldMessages = outbox.listHeld(LIST_LIMIT);
    if (heldMessages.length > 0) {
      print(
        `\nHeld Slack messages: ${outbox.heldCount()} (Slack refused the token, webhook or channel; fix it, then \`npm run check\` or \`npm run jobs -- retry-slack\`):`,
      );
      for (const item of heldMessages) print(describeMessage(item));
    }
    for (const state of ["queued", "dead"] as const) {
      const rows = outbox.list(state, LIST_LIMIT).filter((item) => item.heldSinceMs === undefined);
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
}

type Print = JobsIo["print"];

/** Held leads: Notion refuses creates; they arrive by themselves once it accepts them again. */
function printHeld(print: Print, now: number, queue: LeadQueue, hold: CreateHold): void {
  const state = hold.state();
  const count = queue.heldCount();
  if (state === undefined && count === 0) return;
  const since =
    state === undefined
      ? "Notion accepted a create since; they are on their way"
      : `Notion refuses creates since ${new Date(state.sinceMs).toISOString()} (${formatDuration(now - state.sinceMs)} ago); next try in ${formatDuration(state.nextProbeAtMs - now)}`;
  print(`\nHeld leads: ${count} (${since}):`);
  if (state !== undefined) print(`  ${CREATES_REFUSED_CAUSES.replaceAll("*", "")}`);
  for (const submission of queue.listHeld(LIST_LIMIT)) {
    const heldFor = formatDuration(now - (submission.heldSinceMs ?? now));
    print(`${describeLead(submission)}\n    held for ${heldFor}`);
  }
}

function revive(print: Print, ids: readonly string[], reviveOne: (id: string) => boolean, what: string): number {
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

function discard(print: Print, ids: readonly string[], discardOne: (id: string) => string | undefined): number {
  let failed = 0;
  for (const id of ids) {
    const what = discardOne(id);
    if (what !== undefined) print(`discarded ${what} ${id}`);
    else {
      failed++;
      print(
        `not discarded ${id}: no dead lead, deal event or Slack message has that id (only dead items can be dropped)`,
      );
    }
  }
  return failed === 0 ? 0 : 1;
}

function traceEmail(print: Print, email: string, found: readonly Submission[], dataDir: string): number {
  if (found.length === 0) {
    print(`No submission from ${email.trim().toLowerCase()} in ${dataDir}.`);
    return 1;
  }
  print(`Submissions from ${email.trim().toLowerCase()} in ${dataDir}, oldest first:`);
  for (const trace of found) {
    // A held lead is queued in the table, but waiting for Notion to accept creates again.
    const state = trace.heldSinceMs === undefined ? trace.state : "held";
    const page =
      trace.contactPageId === undefined
        ? (NO_PAGE[trace.state as keyof typeof NO_PAGE] ?? "no Notion page yet")
        : `Notion page ${notionPageUrl(trace.contactPageId)}${trace.outcome === undefined ? "" : ` (${trace.outcome})`}`;
    const error = trace.lastError === undefined ? "" : `\n    last error: ${trace.lastError}`;
    print(`  ${new Date(trace.receivedAtMs).toISOString()}  ${state.padEnd(6)}  ${page}  id ${trace.id}${error}`);
  }
  return 0;
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
