import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlertReading } from "../../src/alerts/alert-reading.js";
import { ALERT_REPEAT_MS, createOperatorAlerts } from "../../src/alerts/operator-alerts.js";
import { createAlertConditions } from "../../src/alerts/read-alert-conditions.js";
import { createNotionEventStore } from "../../src/deal-webhooks/notion-event-store.js";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { createCreateHold } from "../../src/notion/create-hold.js";
import { createSlackClicks } from "../../src/slack/slack-clicks.js";
import { createSlackOutbox, type SlackOutbox } from "../../src/slack/slack-outbox.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { makeTempDir } from "../support/temp-dir.js";
import { queuedLead as leadOf } from "../support/queued-lead.js";

const MINUTE_MS = 60_000;

describe("operator alerts", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let outbox: SlackOutbox;
  let clock: number;
  const now = () => clock;

  beforeEach(() => {
    dir = makeTempDir();
    db = openStore(dir.path);
    outbox = createSlackOutbox(db, now);
    clock = Date.UTC(2026, 8, 8, 9, 0, 0);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  const alertsFor = (store: Store) => createOperatorAlerts({ db: store, outbox, logger: captureLogger().logger, now });
  const reading = (active: boolean): AlertReading => ({
    key: "dead-letters",
    active,
    message: "2 leads dead-lettered",
    clearedMessage: "none left",
  });
  const queued = () => outbox.list("queued").map((item) => ({ text: item.message.text, channel: item.channel }));

  it("posts once when a condition starts, again at most once an hour while it lasts, and once when it clears", () => {
    const alerts = alertsFor(db);
    expect(alerts.evaluate([reading(false)])).toBe(0);
    expect(alerts.evaluate([reading(true)])).toBe(1);
    for (let minute = 1; minute < 60; minute++) {
      clock += MINUTE_MS;
      expect(alerts.evaluate([reading(true)])).toBe(0);
    }
    clock += MINUTE_MS;
    expect(alerts.evaluate([reading(true)])).toBe(1);
    clock += MINUTE_MS;
    expect(alerts.evaluate([reading(false)])).toBe(1);
    expect(alerts.evaluate([reading(false)])).toBe(0);
    expect(queued()).toEqual([
      { text: "2 leads dead-lettered", channel: "alerts" },
      { text: "Still: 2 leads dead-lettered", channel: "alerts" },
      { text: "none left", channel: "alerts" },
    ]);
  });

  it("does not post again after a restart while the condition lasts (the state is in the state file)", () => {
    expect(alertsFor(db).evaluate([reading(true)])).toBe(1);
    db.close();
    db = openStore(dir.path);
    outbox = createSlackOutbox(db, now);
    clock += 10 * MINUTE_MS;
    expect(alertsFor(db).evaluate([reading(true)])).toBe(0);
    clock += ALERT_REPEAT_MS;
    expect(alertsFor(db).evaluate([reading(true)])).toBe(1);
    expect(outbox.list("queued")).toHaveLength(2);
  });

  it("reads each condition from the state file: a hold with its held leads, dead letters, and a backlog past its limit", () => {
    const queue = createLeadQueue(db, now);
    const hold = createCreateHold(db, { retryMs: 10 * MINUTE_MS, now });
    const dealEvents = createNotionEventStore(db, now);
    const clicks = createSlackClicks(db, now);
    const conditions = createAlertConditions(
      { leads: queue.jobs, dealEvents: dealEvents.jobs, clicks },
      { hold, backlogAfterMs: 15 * MINUTE_MS, now },
    );
    const active = () => Object.fromEntries(conditions.read().map((r) => [r.key, r.active]));
    expect(active()).toEqual({
      "creates-refused": false,
      "connection-blocked": false,
      "access-lost": false,
      "dead-letters": false,
      "lead-backlog": false,
    });

    const waiting = queue.enqueue(leadOf("slow@example.com")).submission;
    clock += 15 * MINUTE_MS;
    expect(active()["lead-backlog"]).toBe(false);
    clock += 1_000;
    expect(active()["lead-backlog"]).toBe(true);
    expect(conditions.read().find((r) => r.key === "lead-backlog")!.message).toContain(
      "1 lead queued, the oldest for 15 min",
    );

    hold.refused("Notion rejected pages.create contact: restricted_resource");
    queue.hold([waiting.id], "held");
    const refused = conditions.read().find((r) => r.key === "creates-refused")!;
    expect(refused.active).toBe(true);
    expect(refused.message).toContain("1 new lead held");
    expect(refused.message).toContain("one is tried every 10 min");
    // Held leads are not a backlog: they have their own alert.
    expect(active()["lead-backlog"]).toBe(false);

    const dead = queue.enqueue(leadOf("dead@example.com")).submission;
    queue.bury([dead.id], "validation_error");
    expect(conditions.read().find((r) => r.key === "dead-letters")!.message).toContain(
      "1 lead and 0 deal events dead-lettered",
    );
    const eventId = "9a2f7c1e-0000-4000-8000-000000000001";
    dealEvents.record({ id: eventId, type: "page.properties_updated", entity: { id: "deal-page", type: "page" } });
    dealEvents.bury([eventId], "validation_error");
    expect(conditions.read().find((r) => r.key === "dead-letters")!.message).toContain(
      "1 lead and 1 deal event dead-lettered",
    );
  });

  it("counts a dead-lettered Slack click with the other dead letters, through the click queue", () => {
    const clicks = createSlackClicks(db, now);
    const conditions = createAlertConditions(
      { leads: createLeadQueue(db, now).jobs, dealEvents: createNotionEventStore(db, now).jobs, clicks },
      { hold: createCreateHold(db, { retryMs: 10 * MINUTE_MS, now }), backlogAfterMs: 15 * MINUTE_MS, now },
    );
    const deadLetters = () => conditions.read().find((r) => r.key === "dead-letters")!;
    const { item } = clicks.store("C1:1700000000.000100:contacted:page-1", {
      action: "contacted",
      pageId: "page-1",
      teamId: "T0TEAM0001",
      userId: "U0DANA0001",
      clickedAtMs: clock,
    });
    expect(deadLetters().active).toBe(false);

    clicks.bury([item.id], "Notion rejected pages.update contact: validation_error");
    expect(deadLetters().active).toBe(true);
    expect(deadLetters().message).toContain("0 leads, 0 deal events and 1 Slack click dead-lettered");
    expect(deadLetters().message).toContain("npm run jobs -- retry-click <id>");

    expect(clicks.revive(item.id)).toBe(true);
    expect(deadLetters().active).toBe(false);
  });
});
