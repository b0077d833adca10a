import { afterEach, beforeEach, expect, it } from "vitest";
import { createOperatorAlerts } from "../../src/alerts/operator-alerts.js";
import { createAlertConditions } from "../../src/alerts/read-alert-conditions.js";
import { createNotionEventStore } from "../../src/deal-webhooks/notion-event-store.js";
import { jobsCommand } from "../../src/jobs/jobs-command.js";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { createCreateHold } from "../../src/notion/create-hold.js";
import { createSlackClicks } from "../../src/slack/slack-clicks.js";
import { createSlackOutbox } from "../../src/slack/slack-outbox.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { createRefusedOrigins } from "../../src/web-form/refused-origins.js";
import { captureLogger } from "../support/capture-logger.js";
import { makeTempDir } from "../support/temp-dir.js";
import { queuedLead as lead } from "../support/queued-lead.js";

const HOUR_MS = 60 * 60_000;

let dir: ReturnType<typeof makeTempDir>;
let db: Store;
let clock: number;
const now = () => clock;

beforeEach(() => {
  dir = makeTempDir();
  db = openStore(dir.path);
  clock = Date.UTC(2026, 8, 8, 9, 0, 0);
});
afterEach(() => {
  db.close();
  dir.remove();
});

function setup() {
  const leads = createLeadQueue(db, now);
  const events = createNotionEventStore(db, now);
  const outbox = createSlackOutbox(db, now);
  const hold = createCreateHold(db, { retryMs: 600_000, now });
  const origins = createRefusedOrigins(db, now);
  const conditions = createAlertConditions(
    {
      leads: leads.jobs,
      dealEvents: events.jobs,
      clicks: createSlackClicks(db, now),
      slack: outbox.jobs,
      refusedOrigins: () => origins.lastHour(),
    },
    { hold, backlogAfterMs: 15 * 60_000, now },
  );
  const alerts = createOperatorAlerts({ db, outbox, logger: captureLogger().logger, now });
  const alertTexts = () =>
    outbox
      .list("queued")
      .filter((item) => item.channel === "alerts")
      .map((i) => i.message.text);
  return { leads, events, outbox, hold, origins, conditions, alerts, alertTexts };
}

it("stops the hourly dead-letter alert, and says it cleared, once `jobs discard` drops the last dead lead", () => {
  const { leads, conditions, alerts, alertTexts } = setup();
  const { submission } = leads.enqueue(lead("dead@example.com"));
  leads.bury([submission.id], "Notion rejected pages.create contact: validation_error");
  alerts.evaluate(conditions.read());
  expect(alertTexts().filter((text) => /dead-lettered/.test(text))).toHaveLength(1);
  expect(alertTexts()[0]).toContain("npm run jobs -- discard <id>");

  const printed: string[] = [];
  const code = jobsCommand(
    ["discard", submission.id],
    { DATA_DIR: dir.path, NOTION_HOLD_RETRY_SECONDS: 600 },
    {
      print: (line) => printed.push(line),
    },
  );
  expect(code).toBe(0);
  expect(printed).toEqual([`discarded dead lead ${submission.id}`]);
  expect(leads.get(submission.id)).toBeUndefined();

  clock += HOUR_MS;
  alerts.evaluate(conditions.read());
  const texts = alertTexts();
  expect(texts.filter((text) => /^Still:/.test(text))).toEqual([]);
  expect(texts.filter((text) => /dead-letter alert is cleared/.test(text))).toHaveLength(1);
});

it("refuses to discard what is not dead: a queued lead stays", () => {
  const { leads } = setup();
  const { submission } = leads.enqueue(lead("queued@example.com"));
  const printed: string[] = [];
  const code = jobsCommand(
    ["discard", submission.id],
    { DATA_DIR: dir.path, NOTION_HOLD_RETRY_SECONDS: 600 },
    {
      print: (line) => printed.push(line),
    },
  );
  expect(code).toBe(1);
  expect(printed[0]).toMatch(/^not discarded/);
  expect(leads.get(submission.id)?.state).toBe("queued");
});

it("alerts once when Slack messages are held, names the reason, and clears once they are released", () => {
  const { outbox, conditions, alerts, alertTexts } = setup();
  const { item } = outbox.enqueue({ text: "deal won" });
  outbox.hold(item.id, "chat.postMessage: token_revoked");
  alerts.evaluate(conditions.read());
  const held = alertTexts().filter((text) => /Slack refuses/.test(text));
  expect(held).toHaveLength(1);
  expect(held[0]).toContain("token_revoked");
  expect(held[0]).toContain("npm run jobs -- retry-slack");

  expect(outbox.releaseHeld()).toBe(1);
  alerts.evaluate(conditions.read());
  expect(alertTexts().filter((text) => /Slack accepts messages again/.test(text))).toHaveLength(1);
});

it("alerts hourly, naming the origins, while /form posts from unlisted origins are refused", () => {
  const { origins, conditions, alerts, alertTexts } = setup();
  for (let i = 0; i < 3; i++) origins.record("https://www.example.com");
  origins.record("http://example.com");
  alerts.evaluate(conditions.read());
  const first = alertTexts().filter((text) => /form posts? refused/.test(text));
  expect(first).toHaveLength(1);
  expect(first[0]).toContain("4 form posts refused in the last hour");
  expect(first[0]).toContain("https://www.example.com (3), http://example.com (1)");

  // Still refused an hour later: said again, once.
  clock += HOUR_MS;
  origins.record("https://www.example.com");
  alerts.evaluate(conditions.read());
  expect(alertTexts().filter((text) => /^Still: .*form posts? refused/.test(text))).toHaveLength(1);

  // An hour with none: cleared.
  clock += HOUR_MS + 1;
  alerts.evaluate(conditions.read());
  expect(alertTexts().filter((text) => /No form post was refused/.test(text))).toHaveLength(1);
});

it("names the cause of a hold: a revoked token (401) and an unshared database (404) have their own fix", () => {
  const { hold, conditions } = setup();
  hold.refused("Notion rejected query contact by email: unauthorized", "unauthorized");
  const unauthorized = conditions.read().find((reading) => reading.key === "access-lost")!;
  expect(unauthorized.active).toBe(true);
  expect(unauthorized.message).toContain("HTTP 401");
  expect(unauthorized.message).toContain("NOTION_TOKEN");
  hold.refused("Notion rejected query contact by email: object_not_found", "unshared");
  const unshared = conditions.read().find((reading) => reading.key === "access-lost")!;
  expect(unshared.message).toContain("HTTP 404");
  expect(unshared.message).toContain("Connections");
  // The create-refused alert is for 403 alone: it stays quiet while access is lost.
  expect(conditions.read().find((reading) => reading.key === "creates-refused")!.active).toBe(false);
});
