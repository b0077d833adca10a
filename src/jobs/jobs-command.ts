import { parseArgs } from "node:util";
import { formatDuration } from "../util/format-duration.js";
import type { Config } from "../config/load-config.js";
import { createDealPollStore } from "../store/deal-poll-store.js";
import { describeDealPoll } from "../store/describe-deal-poll.js";
import { createInboundEmailQueue, type QueuedEmail } from "../inbound-email/inbound-email-queue.js";
import { createLeadQueue, type LeadQueue, type Submission } from "../leads/lead-queue.js";
import { createNotionEventStore } from "../deal-webhooks/notion-event-store.js";
import { notionPageUrl } from "../leads/notion-page-url.js";
import { createCreateHold, type CreateHold, type HoldCause } from "../notion/create-hold.js";
import { HOLD_CAUSES } from "../notion/is-create-refused.js";
import { renderForSlack } from "../slack/person-mention.js";
import { createSlackClicks, type StoredClick } from "../slack/slack-clicks.js";
import { createSlackOutbox, type OutboxItem } from "../slack/slack-outbox.js";
import { openStore } from "../store/open-store.js";
import type { QueueReader } from "../queue/durable-queue.js";

const LIST_LIMIT = 50;
export const JOBS_HELP = `Usage:
  npm run jobs                         counts of leads by state, then queued and dead leads, Slack messages and Slack clicks
  npm run jobs -- find <email>         every submission from that address: time, state, Notion page, last error
  npm run jobs -- retry <id> [...]     puts dead leads back in the queue
  npm run jobs -- retry --all-dead     puts every dead lead back
  npm run jobs -- retry-slack <id>     puts a dead Slack message back in the outbox
  npm run jobs -- retry-slack          sends the Slack messages held while Slack refused the token or channel
  npm run jobs -- retry-email <id>     puts a dead logged email back in the queue
  npm run jobs -- retry-click <id>     applies a dead Slack button click again (Claim, Contacted, Snooze, Not a fit)
  npm run jobs -- discard <id> [...]   drops dead items for good (leads, deal events, Slack messages, clicks,
                                       logged emails); where a number names two kinds, say slack:<id>,
                                       click:<id> or email:<id>
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
    const clicks = createSlackClicks(db);
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
    const emails = createInboundEmailQueue(db).jobs;
    if (command === "retry-email") {
      if (ids.length === 0) throw new Error("name the logged emails to retry: retry-email <id> [...]");
      return revive(print, ids, (id) => emails.revive(Number(id)), "dead logged email");
    }
    if (command === "retry-click") {
      if (ids.length === 0) throw new Error("name the Slack clicks to retry: retry-click <id> [...]");
      return revive(print, ids, (id) => clicks.revive(Number(id)), "dead Slack click");
    }
    if (command === "discard") {
      if (ids.length === 0) throw new Error("name the dead items to drop: discard <id> [...]");
      const events = createNotionEventStore(db);
      const numbered = (dead: Pick<QueueReader<unknown>, "stateOf"> & { discard(id: number): boolean }) => ({
        isDead: (id: string) => /^\d+$/.test(id) && dead.stateOf(Number(id)) === "dead",
        discard: (id: string) => dead.discard(Number(id)),
      });
      return discard(print, ids, [
        {
          prefix: "lead",
          what: "dead lead",
          isDead: (id) => queue.jobs.stateOf(id) === "dead",
          discard: queue.discard,
        },
        { prefix: "event", what: "dead deal event", isDead: events.isDead, discard: events.discard },
        {
          prefix: "slack",
          what: "dead Slack message",
          ...numbered({ stateOf: outbox.jobs.stateOf, discard: outbox.discard }),
        },
        { prefix: "click", what: "dead Slack click", ...numbered(clicks) },
        { prefix: "email", what: "dead logged email", ...numbered(emails) },
      ]);
    }
    if (command !== undefined)
      throw new Error(
        `unknown command "${command}"; use "find <email>", "retry <id>", "retry --all-dead", "retry-slack [<id>]", "retry-email <id>", "retry-click <id>" or "discard <id>" (--help says more)`,
      );

    const counts = queue.counts();
    print(
      `Leads in ${config.DATA_DIR}: ${["queued", "done", "dead", "spam"].map((state) => `${counts[state as Submission["state"]] ?? 0} ${state}`).join(", ")}`,
    );
    print(describeDealPoll(createDealPollStore(db).get()));
    printHeld(print, now(), queue, createCreateHold(db, { retryMs: config.NOTION_HOLD_RETRY_SECONDS * 1000 }));
    // Held leads are queued too, but listed above as held.
    printQueue(
      print,
      (state) => queue.list(state, LIST_LIMIT).filter((s) => s.heldSinceMs === undefined),
      describeLead,
      {
        queued: "Queued leads (waiting for Notion)",
        dead: "Dead leads (Notion refused them; fix the cause, then `npm run jobs -- retry <id>`)",
      },
    );
    const heldMessages = outbox.listHeld(LIST_LIMIT);
    if (heldMessages.length > 0) {
      print(
        `\nHeld Slack messages: ${outbox.heldCount()} (Slack refused the token, webhook or channel; fix it, then \`npm run check\` or \`npm run jobs -- retry-slack\`):`,
      );
      for (const item of heldMessages) print(describeMessage(item));
    }
    printQueue(
      print,
      (state) => outbox.list(state, LIST_LIMIT).filter((item) => item.heldSinceMs === undefined),
      describeMessage,
      {
        queued: "Queued Slack messages",
        dead: "Dead Slack messages (Slack refused them; fix the cause, then `npm run jobs -- retry-slack <id>`)",
      },
    );
    printQueue(print, (state) => clicks.list(state, LIST_LIMIT), describeClick, {
      queued: "Queued Slack clicks (waiting for Notion or Slack)",
      dead: "Dead Slack clicks (Notion refused them; fix the cause, then `npm run jobs -- retry-click <id>`)",
    });
    const emailCounts = emails.counts();
    if (Object.keys(emailCounts).length > 0) {
      const states = ["queued", "done", "dead", "ignored"].map((state) => `${emailCounts[state] ?? 0} ${state}`);
      print(`\nLogged emails: ${states.join(", ")}`);
      for (const state of ["queued", "dead"] as const) {
        const rows = emails.list(state, LIST_LIMIT);
        if (rows.length === 0) continue;
        print(
          state === "dead"
            ? "Dead logged emails (Notion refused them; fix the cause, then `npm run jobs -- retry-email <id>`):"
            : "Queued logged emails (waiting for Notion):",
        );
        for (const email of rows) print(describeLoggedEmail(email));
      }
    }
    return 0;
  } finally {
    db.close();
  }
}

type Print = JobsIo["print"];

/** A queue's queued, then dead rows, each under its heading; a state with none is left out. */
function printQueue<T>(
  print: Print,
  list: (state: "queued" | "dead") => readonly T[],
  describe: (row: T) => string,
  headings: Record<"queued" | "dead", string>,
): void {
  for (const state of ["queued", "dead"] as const) {
    const rows = list(state);
    if (rows.length === 0) continue;
    print(`\n${headings[state]}:`);
    for (const row of rows) print(describe(row));
  }
}

/** Held leads: Notion refuses creates; they arrive by themselves once it accepts them again. */
function printHeld(print: Print, now: number, queue: LeadQueue, hold: CreateHold): void {
  const state = hold.state();
  const count = queue.heldCount();
  if (state === undefined && count === 0) return;
  const since =
    state === undefined
      ? "Notion accepted a create since; they are on their way"
      : `${holdWords(state.cause)} since ${new Date(state.sinceMs).toISOString()} (${formatDuration(now - state.sinceMs)} ago); next try in ${formatDuration(state.nextProbeAtMs - now)}`;
  print(`\nHeld leads: ${count} (${since}):`);
  if (state !== undefined) print(`  ${HOLD_CAUSES[state.cause].fix.replaceAll("*", "")}`);
  for (const submission of queue.listHeld(LIST_LIMIT)) {
    const heldFor = formatDuration(now - (submission.heldSinceMs ?? now));
    print(`${describeLead(submission)}\n    held for ${heldFor}`);
  }
}

/** What holds the leads, in a few words: each cause's own (see HOLD_CAUSES). */
function holdWords(cause: HoldCause): string {
  if (cause === "connection_blocked") return "Notion blocked this connection (only Notion support can lift it)";
  if (cause === "creates_refused") return "Notion refuses creates";
  return `${HOLD_CAUSES[cause].title.replaceAll("*", "")} (${HOLD_CAUSES[cause].status})`;
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

/** One queue's dead items as discard sees them: `prefix:<id>` names it when a bare id fits several. */
type DeadKind = { prefix: string; what: string; isDead(id: string): boolean; discard(id: string): boolean };

function discard(print: Print, ids: readonly string[], kinds: readonly DeadKind[]): number {
  let failed = 0;
  for (const given of ids) {
    const [prefix, bare] = given.includes(":") ? given.split(":", 2) : [undefined, given];
    const id = bare ?? "";
    const matches = kinds.filter((kind) => (prefix === undefined || kind.prefix === prefix) && kind.isDead(id));
    if (matches.length === 1 && matches[0]!.discard(id)) {
      print(`discarded ${matches[0]!.what} ${id}`);
      continue;
    }
    failed++;
    if (matches.length > 1)
      print(
        `not discarded ${given}: ${matches.map((kind) => `a ${kind.what}`).join(" and ")} have that id; say which: ${matches.map((kind) => `${kind.prefix}:${id}`).join(" or ")}`,
      );
    else
      print(
        `not discarded ${given}: no dead lead, deal event, Slack message, Slack click or logged email has that id (only dead items can be dropped)`,
      );
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

/** A logged email as jobs shows it: what the state file keeps of it (never a body). */
function describeLoggedEmail(email: QueuedEmail): string {
  const error = email.lastError === undefined ? "" : `\n    last error: ${email.lastError}`;
  return `  ${email.id}  ${new Date(email.dateMs).toISOString()}  ${email.direction} via ${email.via}, ${email.addresses.length} address(es), ${email.attempts} attempt(s)${error}`;
}

function describeClick(click: StoredClick): string {
  const received = new Date(click.receivedAtMs).toISOString();
  const { action, pageId, userName, userId } = click.payload;
  const error = click.lastError === undefined ? "" : `\n    last error: ${click.lastError}`;
  return `  ${click.id}  ${received}  ${action} on ${notionPageUrl(pageId)} by ${userName ?? userId}  attempts ${click.attempts}${error}`;
}
