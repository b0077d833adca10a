import { afterEach, expect, it } from "vitest";
import { createNotionEventStore } from "../../src/deal-webhooks/notion-event-store.js";
import { createInboundEmailQueue } from "../../src/inbound-email/inbound-email-queue.js";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { createNewLeadAnnouncer } from "../../src/new-lead-alerts/new-lead-announcer.js";
import { DAY_MS } from "../../src/queue/prune-queues.js";
import { createSlackClicks } from "../../src/slack/slack-clicks.js";
import { createSlackOutbox } from "../../src/slack/slack-outbox.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { makeTempDir } from "../support/temp-dir.js";
import { queuedLead } from "../support/queued-lead.js";

let h: CrmHarness | undefined;
const dirs: Array<ReturnType<typeof makeTempDir>> = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const dir of dirs.splice(0)) dir.remove();
});

/** Every table that keeps finished rows: a queue table has finished_at_ms, and new_lead_alerts keeps announced leads. */
function tablesThatGrow(db: Store): string[] {
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all()
    .map((row) => row.name);
  return tables
    .filter((table) =>
      db
        .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
        .all()
        .some((column) => column.name === "finished_at_ms"),
    )
    .concat("new_lead_alerts")
    .sort();
}

const rowsIn = (db: Store, table: string) =>
  db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()!.n;

it("prunes, at start, every table of the state file whose rows finished more than RETENTION_DAYS ago", async () => {
  const dir = makeTempDir();
  dirs.push(dir);
  const longAgo = () => Date.now() - 100 * DAY_MS;
  const db = openStore(dir.path);
  try {
    // One finished row in each table, 100 days old (RETENTION_DAYS is 90 by default).
    const leads = createLeadQueue(db, longAgo);
    const done = leads.enqueue(queuedLead("old@example.com")).submission;
    leads.finish([done.id]);
    const events = createNotionEventStore(db, longAgo);
    events.record({ id: "evt-old", type: "page.created", entity: { id: "page-1", type: "page" } });
    events.settle(["evt-old"], "done");
    const outbox = createSlackOutbox(db, longAgo);
    const sent = outbox.enqueue({ text: "an old message" }).item;
    outbox.markSent(sent.id);
    const clicks = createSlackClicks(db, longAgo);
    const click = clicks.store("old-click", {
      action: "contacted",
      pageId: "page-1",
      teamId: "T1",
      userId: "U1",
      clickedAtMs: longAgo(),
    }).item;
    clicks.markDone([click.id]);
    createInboundEmailQueue(db, longAgo).store({
      key: "old-email",
      via: "raw",
      direction: { direction: "internal", addresses: [] },
      from: "me@team.example",
      subject: "lunch",
      dateMs: longAgo(),
      messageId: undefined,
      snippet: undefined,
    });
    createNewLeadAnnouncer({
      db,
      outbox: createSlackOutbox(db, longAgo),
      notify: () => {},
      buttons: () => [],
      logger: captureLogger().logger,
      holdMs: 0,
      now: longAgo,
    }).announce({ pageId: "page-2", url: "https://www.notion.so/page2", email: "new@example.com" });
    const announced = db.prepare<[], { outbox_id: number }>("SELECT outbox_id FROM new_lead_alerts").get()!;
    outbox.markSent(announced.outbox_id);

    // A queue table added later without joining the pruner fails here: add it to the seeding above too.
    expect(tablesThatGrow(db)).toEqual(
      ["inbound_emails", "lead_submissions", "new_lead_alerts", "notion_events", "slack_clicks", "slack_outbox"].sort(),
    );
    for (const table of tablesThatGrow(db)) expect(rowsIn(db, table), table).toBeGreaterThan(0);
  } finally {
    db.close();
  }

  // The harness's own DATA_DIR is replaced by the one seeded above.
  h = await startCrmHarness({ env: { DATA_DIR: dir.path } });
  await eventually(() => {
    const check = openStore(dir.path);
    try {
      for (const table of tablesThatGrow(check)) expect(rowsIn(check, table), table).toBe(0);
    } finally {
      check.close();
    }
  });
});
