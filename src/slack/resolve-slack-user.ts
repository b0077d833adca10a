import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { Logger } from "../log/create-logger.js";
import type { SlackUserMap } from "./slack-user-map.js";
import type { SlackWebApi } from "./slack-web-api.js";

/**
 * How long one lookup may take before the message goes out with the plain
 * name: the Notion gateway retries for minutes when Notion is down, and a
 * deal alert must not wait for that.
 */
export const SLACK_USER_LOOKUP_TIMEOUT_MS = 10_000;
/** Slack's answers that mean "no user has that email": a miss to remember, not a failure. */
const NO_SUCH_USER = new Set(["users_not_found", "user_not_found"]);

/**
 * A Notion person's Slack user: `slackUserId` when found; otherwise
 * `settled` says whether that is the answer (no email, no such Slack user)
 * or only for now (Notion or Slack failed): a direct message waits for a
 * settled answer, a mention does not.
 */
export type SlackUserAnswer = { slackUserId: string | undefined; settled: boolean };

export type SlackUserResolver = {
  /** Never throws. */
  resolve(notionUserId: string): Promise<SlackUserAnswer>;
};

export type SlackUserResolverOptions = {
  notion: Pick<NotionGateway, "read">;
  api: SlackWebApi;
  map: SlackUserMap;
  logger: Logger;
  timeoutMs?: number;
};

type Lookup = { slackUserId: string | null; remember: boolean };

/**
 * Notion person → their email (GET /v1/users/{id}: needs the integration's
 * "Read user information including email addresses" capability) → Slack's
 * users.lookupByEmail. Answers and misses (no email, no such Slack user) are
 * remembered for a day; a failure that may pass (Notion or Slack down, a
 * missing scope being fixed) is not, and gives undefined for this message.
 */
export function createSlackUserResolver(options: SlackUserResolverOptions): SlackUserResolver {
  const { notion, api, map, timeoutMs = SLACK_USER_LOOKUP_TIMEOUT_MS } = options;
  const log = options.logger.child({ area: "slack-users" });

  async function lookUp(notionUserId: string): Promise<Lookup> {
    let email: string | undefined;
    try {
      const user = await notion.read("users.retrieve owner", (client) =>
        client.users.retrieve({ user_id: notionUserId }),
      );
      email = user.type === "person" ? user.person.email : undefined;
    } catch (error) {
      // Notion refusing for good (no such user, no user capability at all) is a miss to remember.
      if (isNotionGatewayError(error) && !error.retryable) {
        log.info(
          { notionUserId, notionCode: error.details.notionCode },
          "Notion refused to read the user; naming them instead",
        );
        return { slackUserId: null, remember: true };
      }
      log.warn({ notionUserId, err: error }, "could not read the Notion user; naming them instead of mentioning");
      return { slackUserId: null, remember: false };
    }
    if (email === undefined) {
      log.info(
        { notionUserId },
        'Notion gave no email for the user (the integration needs "Read user information including email addresses"); naming them instead',
      );
      return { slackUserId: null, remember: true };
    }
    const found = await api.get("users.lookupByEmail", { email });
    if (found.ok) {
      const user = found.body["user"] as { id?: unknown } | undefined;
      return typeof user?.id === "string"
        ? { slackUserId: user.id, remember: true }
        : { slackUserId: null, remember: false };
    }
    // users.lookupByEmail documents users_not_found; Slack also answers user_not_found: both are a miss.
    if (found.error !== undefined && NO_SUCH_USER.has(found.error)) {
      log.info({ notionUserId }, "no Slack user has the Notion user's email; naming them instead");
      return { slackUserId: null, remember: true };
    }
    log.warn({ notionUserId, reason: found.reason }, "Slack users.lookupByEmail failed; naming the owner instead");
    return { slackUserId: null, remember: false };
  }

  return {
    async resolve(notionUserId) {
      const known = map.get(notionUserId);
      if (known !== undefined) return { slackUserId: known.slackUserId ?? undefined, settled: true };
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<Lookup>((resolve) => {
        timer = setTimeout(() => resolve({ slackUserId: null, remember: false }), timeoutMs);
        timer.unref();
      });
      try {
        const found = await Promise.race([lookUp(notionUserId), timedOut]);
        if (found.remember) map.set(notionUserId, found.slackUserId);
        return { slackUserId: found.slackUserId ?? undefined, settled: found.remember };
      } catch (error) {
        log.warn({ notionUserId, err: error }, "Slack user lookup failed; naming the owner instead");
        return { slackUserId: undefined, settled: false };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
