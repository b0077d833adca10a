import type { Store } from "./open-store.js";

/**
 * Leads snoozed from Slack, in the state file: the digest leaves a lead out
 * (channel and direct messages) until its time has passed. Written by the
 * click worker, read by the digest; a later snooze replaces an earlier one.
 */
export function createLeadSnoozes(db: Store) {
  const upsert = db.prepare(
    `INSERT INTO lead_snoozes (page_id, until_ms, by_slack_user_id, updated_at_ms) VALUES (?, ?, ?, ?)
     ON CONFLICT (page_id) DO UPDATE SET until_ms = excluded.until_ms, by_slack_user_id = excluded.by_slack_user_id, updated_at_ms = excluded.updated_at_ms`,
  );
  const active = db.prepare<[number], { page_id: string }>("SELECT page_id FROM lead_snoozes WHERE until_ms > ?");
  const one = db.prepare<[string], { until_ms: number }>("SELECT until_ms FROM lead_snoozes WHERE page_id = ?");
  return {
    snooze(pageId: string, untilMs: number, bySlackUserId: string | undefined, nowMs: number): void {
      upsert.run(normalise(pageId), untilMs, bySlackUserId ?? null, nowMs);
    },
    /** Until when a lead is snoozed; undefined when it never was. */
    until: (pageId: string) => one.get(normalise(pageId))?.until_ms,
    /** The page ids snoozed at `nowMs`, without dashes. */
    snoozedAt: (nowMs: number) => new Set(active.all(nowMs).map((row) => row.page_id)),
  };
}

export type LeadSnoozes = ReturnType<typeof createLeadSnoozes>;

/** Page ids come dashed (Notion's answers) or not (a URL); they are kept without dashes. */
export const normalise = (pageId: string) => pageId.replaceAll("-", "").toLowerCase();
