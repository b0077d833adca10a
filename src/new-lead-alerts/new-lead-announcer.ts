import type { Logger } from "../log/create-logger.js";
import type { LeadAction } from "../slack/lead-buttons.js";
import type { SlackOutbox } from "../slack/slack-outbox.js";
import type { Store } from "../store/open-store.js";
import { groupedNewLeadAlertMessage, newLeadAlertMessage, type NewLead } from "./new-lead-alert-message.js";

/** How long an alert waits for the rest of a burst before it goes out alone. */
export const NEW_LEAD_ALERT_HOLD_MS = 15_000;
/** More than this many new leads within a minute are announced in one message. */
export const NEW_LEAD_BURST_ABOVE = 5;
export const NEW_LEAD_BURST_WINDOW_MS = 60_000;

export type NewLeadAnnouncerOptions = {
  db: Store;
  outbox: SlackOutbox;
  /** Wakes the Slack sender. */
  notify: () => void;
  /** The buttons an alert carries now (none in webhook mode or without a signing secret). */
  buttons: () => readonly LeadAction[];
  logger: Logger;
  holdMs?: number;
  now?: () => number;
};

export type NewLeadAnnouncer = { announce(lead: NewLead): void };

type PendingRow = { page_id: string; lead_json: string; outbox_id: number };

/**
 * Announces each new contact once, through the outbox (durable: a restart
 * loses no alert). Each alert is held for a few seconds; when, counting the
 * alerts of the last minute, more than 5 are new, the ones still waiting are
 * folded into one grouped message, so a campaign is not a flood. It all
 * happens in one transaction, so two processes cannot both send a lead.
 */
export function createNewLeadAnnouncer(options: NewLeadAnnouncerOptions): NewLeadAnnouncer {
  const { db, outbox, now = Date.now, holdMs = NEW_LEAD_ALERT_HOLD_MS } = options;
  const log = options.logger.child({ area: "new-lead-alerts" });
  const known = db.prepare<[string], { page_id: string }>("SELECT page_id FROM new_lead_alerts WHERE page_id = ?");
  const insert = db.prepare(
    "INSERT INTO new_lead_alerts (page_id, lead_json, created_at_ms, outbox_id) VALUES (?, ?, ?, ?)",
  );
  const pending = db.prepare<[number], PendingRow>(
    `SELECT a.page_id, a.lead_json, a.outbox_id FROM new_lead_alerts a JOIN slack_outbox o ON o.id = a.outbox_id
     WHERE o.state = 'queued' AND (o.lease_until_ms IS NULL OR o.lease_until_ms < ?) ORDER BY a.created_at_ms, a.page_id`,
  );
  const recentlyOut = db.prepare<[number, number], { n: number }>(
    `SELECT count(*) AS n FROM new_lead_alerts a JOIN slack_outbox o ON o.id = a.outbox_id
     WHERE a.created_at_ms > ? AND NOT (o.state = 'queued' AND (o.lease_until_ms IS NULL OR o.lease_until_ms < ?))`,
  );
  const carry = db.prepare("UPDATE new_lead_alerts SET outbox_id = ? WHERE outbox_id = ?");
  const forgetSent = db.prepare(FORGET_SENT_LEADS);

  const announce = db.transaction((lead: NewLead): number | undefined => {
    if (known.get(lead.pageId) !== undefined) return undefined;
    const at = now();
    const actions = options.buttons();
    const { item, duplicate } = outbox.enqueue(newLeadAlertMessage(lead, actions), `new-lead:${lead.pageId}`, "sales", {
      notBeforeMs: at + holdMs,
    });
    insert.run(lead.pageId, JSON.stringify(lead), at, item.id);
    if (duplicate) return undefined;
    forgetSent.run();

    const waiting = pending.all(at);
    const burst = waiting.length + recentlyOut.get(at - NEW_LEAD_BURST_WINDOW_MS, at)!.n;
    if (waiting.length < 2 || burst <= NEW_LEAD_BURST_ABOVE) return item.id;
    // The oldest waiting message carries the group (and keeps its place in the queue); the others go.
    const carrier = Math.min(...waiting.map((row) => row.outbox_id));
    const leads = waiting.map((row) => JSON.parse(row.lead_json) as NewLead);
    if (!outbox.replaceQueued(carrier, groupedNewLeadAlertMessage(leads, actions))) return item.id;
    for (const other of new Set(waiting.map((row) => row.outbox_id))) {
      if (other !== carrier && outbox.dropQueued(other)) carry.run(carrier, other);
    }
    log.info({ outboxId: carrier, leads: leads.length }, "a burst of new leads: announced together in one message");
    return carrier;
  });

  return {
    announce(lead) {
      const outboxId = announce.immediate(lead);
      if (outboxId !== undefined) {
        log.info({ pageId: lead.pageId, outboxId }, "new lead alert queued");
        options.notify();
      }
    },
  };
}

/**
 * Retention for new-lead alerts, registered with the server's one pruner:
 * rows whose message has left the outbox keep the page id alone, and are
 * forgotten once older than `olderThanMs` (RETENTION_DAYS). A contact is
 * created, and so announced, once, so nothing asks for them again.
 */
export function pruneAnnouncedLeads(db: Store, olderThanMs: number, now: () => number = Date.now): number {
  db.prepare(FORGET_SENT_LEADS).run();
  return db
    .prepare<[number]>(
      `DELETE FROM new_lead_alerts WHERE created_at_ms < ?
         AND outbox_id NOT IN (SELECT id FROM slack_outbox WHERE state = 'queued')`,
    )
    .run(now() - olderThanMs).changes;
}

// Only a queued message's leads are read again (to fold a burst): once it has left, its rows keep the page id alone.
const FORGET_SENT_LEADS = `UPDATE new_lead_alerts SET lead_json = '{}' WHERE lead_json != '{}'
  AND outbox_id NOT IN (SELECT id FROM slack_outbox WHERE state = 'queued')`;
