import type { Logger } from "../log/create-logger.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { SlackWebApi } from "../slack/slack-web-api.js";
import type { Store } from "../store/open-store.js";

/** A Slack user's Notion user is looked up again after this long, as the owner look-ups are. */
export const CLICKER_MAP_TTL_MS = 24 * 60 * 60 * 1000;
const USERS_PAGE_SIZE = 100;

export type ClickerLookup =
  { settled: true; notionUserId: string | undefined; why?: string } | { settled: false; reason: string };

/**
 * Who clicked, as a Notion user: Slack's users.info gives their email
 * (scopes users:read and users:read.email), Notion's users list the person
 * with that email (the integration's "Read user information including email
 * addresses"). Remembered for a day, misses too, in the state file.
 */
export function createClickerLookup(deps: {
  db: Store;
  api: Pick<SlackWebApi, "get">;
  notion: Pick<NotionGateway, "read">;
  logger: Logger;
  now?: () => number;
}) {
  const { db, api, notion, now = Date.now } = deps;
  const read = db.prepare<[string, number], { notion_user_id: string | null }>(
    "SELECT notion_user_id FROM slack_notion_users WHERE slack_user_id = ? AND looked_up_at_ms > ?",
  );
  const write = db.prepare(
    `INSERT INTO slack_notion_users (slack_user_id, notion_user_id, looked_up_at_ms) VALUES (?, ?, ?)
     ON CONFLICT (slack_user_id) DO UPDATE SET notion_user_id = excluded.notion_user_id, looked_up_at_ms = excluded.looked_up_at_ms`,
  );

  async function notionUserByEmail(email: string): Promise<string | undefined> {
    let cursor: string | undefined;
    do {
      const page = await notion.read("users.list", (client) =>
        client.users.list({ page_size: USERS_PAGE_SIZE, ...(cursor && { start_cursor: cursor }) }),
      );
      for (const user of page.results) {
        if (user.type === "person" && user.person.email?.toLowerCase() === email) return user.id;
      }
      cursor = page.has_more ? (page.next_cursor ?? undefined) : undefined;
    } while (cursor !== undefined);
    return undefined;
  }

  return {
    async notionUserOf(slackUserId: string): Promise<ClickerLookup> {
      const remembered = read.get(slackUserId, now() - CLICKER_MAP_TTL_MS);
      if (remembered !== undefined) return { settled: true, notionUserId: remembered.notion_user_id ?? undefined };
      const info = await api.get("users.info", { user: slackUserId });
      if (!info.ok) {
        if (!info.permanent) return { settled: false, reason: info.reason };
        return { settled: true, notionUserId: undefined, why: info.reason };
      }
      const profile = (info.body["user"] as { profile?: { email?: unknown } } | undefined)?.profile;
      const email = typeof profile?.email === "string" ? profile.email.toLowerCase() : undefined;
      if (email === undefined) {
        write.run(slackUserId, null, now());
        return {
          settled: true,
          notionUserId: undefined,
          why: "Slack gives no email for them (scope users:read.email)",
        };
      }
      const notionUserId = await notionUserByEmail(email);
      write.run(slackUserId, notionUserId ?? null, now());
      return notionUserId === undefined
        ? { settled: true, notionUserId, why: "no Notion member has their Slack email" }
        : { settled: true, notionUserId };
    },
  };
}

export type ClickerLookupService = ReturnType<typeof createClickerLookup>;
