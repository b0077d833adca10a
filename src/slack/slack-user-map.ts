import type { Store } from "../store/open-store.js";

/** A Notion person's Slack user is looked up again after this long (a renamed email, a new hire). */
export const SLACK_USER_MAP_TTL_MS = 24 * 60 * 60 * 1000;

/** What the map remembers: a Slack user id, or `null` for a known miss. */
export type SlackUserEntry = { slackUserId: string | null };

/** Notion user id → Slack user id (or a remembered miss), in SQLite, for a day. */
export function createSlackUserMap(db: Store, now: () => number = Date.now, ttlMs = SLACK_USER_MAP_TTL_MS) {
  const read = db.prepare<[string, number], { slack_user_id: string | null }>(
    "SELECT slack_user_id FROM slack_users WHERE notion_user_id = ? AND looked_up_at_ms > ?",
  );
  const write = db.prepare(
    `INSERT INTO slack_users (notion_user_id, slack_user_id, looked_up_at_ms) VALUES (?, ?, ?)
     ON CONFLICT (notion_user_id) DO UPDATE SET slack_user_id = excluded.slack_user_id, looked_up_at_ms = excluded.looked_up_at_ms`,
  );
  return {
    /** undefined: never looked up, or longer ago than the TTL. */
    get(notionUserId: string): SlackUserEntry | undefined {
      const row = read.get(notionUserId, now() - ttlMs);
      return row === undefined ? undefined : { slackUserId: row.slack_user_id };
    },
    set(notionUserId: string, slackUserId: string | null): void {
      write.run(notionUserId, slackUserId, now());
    },
  };
}

export type SlackUserMap = ReturnType<typeof createSlackUserMap>;
