import Database from "better-sqlite3";
import { secretValues, type Config } from "../config/load-config.js";
import { createLogger, type Logger } from "../log/create-logger.js";
import type { CrmDatabaseIds } from "../notion/check-crm-schema.js";
import { notionGatewayFromConfig, type NotionGatewayOptions } from "../notion/notion-gateway.js";
import { MIGRATIONS } from "../store/migrations.js";
import { migrate, type Store } from "../store/open-store.js";
import { checkDealAlerts } from "./check-deal-alerts.js";
import { checkContactedStatus, checkEmailRoutes } from "./check-email-logging.js";
import { checkLeadQueue } from "./check-lead-queue.js";
import { checkNotionAccess } from "./check-notion-access.js";
import { checkNotionSchema } from "./check-notion-schema.js";
import type { CheckResult } from "./check-result.js";
import { checkSettings } from "./check-settings.js";
import { isSlackAppMode } from "../slack/slack-app-from-config.js";
import { createSlackOutbox } from "../slack/slack-outbox.js";
import { checkContactsOwner } from "./check-contacts-owner.js";
import { checkSlackApp, type CheckSlackAppOptions } from "./check-slack-app.js";
import { checkSlackUrl } from "./check-slack-url.js";
import { checkStateFile } from "./check-state-file.js";
import { checkTurnstile, type CheckTurnstileOptions } from "./check-turnstile.js";
import { checkStatusOptions } from "./check-status-options.js";
import { checkUserInformation } from "./check-user-information.js";

/** A check must answer in seconds when Notion is down, not wait out the server's patient retries. */
export const CHECK_MAX_ATTEMPTS = 2;
export const CHECK_ATTEMPT_TIMEOUT_MS = 10_000;

export type RunChecksOptions = {
  /** @default "<cwd>/.env", as loadConfig */
  envFile?: string | false;
  /** Built once the settings, and so the secrets to mask, are known. @default a silent logger */
  logger?: (config: Config) => Logger;
  gateway?: Partial<Pick<NotionGatewayOptions, "maxAttempts" | "attemptTimeoutMs" | "backoffBaseMs">>;
  slack?: CheckSlackAppOptions;
  turnstile?: CheckTurnstileOptions;
};

/**
 * Everything `npm run check` looks at, in report order: settings, Notion
 * and its token, each database's schema, the Slack URL or the Slack app
 * (token, scopes, channel, Contacts' Owner), how deal alerts arrive, the state file.
 * Each check runs whatever failed before it, so one run names every problem.
 */
export async function runChecks(env: NodeJS.ProcessEnv, options: RunChecksOptions = {}): Promise<CheckResult[]> {
  const { config, malformed, results } = checkSettings(env, options.envFile);
  const state = checkStateFile(config.DATA_DIR);
  // Without the state file the rate budget cannot be shared; a check's few requests can do without.
  const db = state.db ?? openScratchStore();
  try {
    const notionResults: CheckResult[] = [];
    const ownerResults: CheckResult[] = [];
    const emailResults: CheckResult[] = [checkEmailRoutes(config)];
    if (config.NOTION_TOKEN === undefined || malformed.has("NOTION_BASE_URL") || malformed.has("NOTION_TOKEN")) {
      notionResults.push({
        name: "Notion",
        outcome: "skip",
        detail: "not checked: NOTION_TOKEN or NOTION_BASE_URL is missing or malformed",
      });
    } else {
      const notion = notionGatewayFromConfig(
        { ...config, NOTION_TOKEN: config.NOTION_TOKEN },
        {
          db,
          logger: (options.logger ?? silentLogger)(config),
          maxAttempts: CHECK_MAX_ATTEMPTS,
          attemptTimeoutMs: CHECK_ATTEMPT_TIMEOUT_MS,
          ...options.gateway,
        },
      );
      const access = await checkNotionAccess(notion, config.NOTION_BASE_URL);
      notionResults.push(access);
      if (access.outcome === "pass") {
        notionResults.push(await checkUserInformation(notion));
        notionResults.push(...(await checkNotionSchema(notion, databaseIds(config))));
        if (config.NOTION_CONTACTS_DB_ID !== undefined)
          notionResults.push(await checkStatusOptions(notion, config.NOTION_CONTACTS_DB_ID, config));
        if (isSlackAppMode(config) && config.NOTION_CONTACTS_DB_ID !== undefined)
          ownerResults.push(await checkContactsOwner(notion, config.NOTION_CONTACTS_DB_ID));
        if (config.TEAM_EMAIL_DOMAINS !== undefined && config.NOTION_CONTACTS_DB_ID !== undefined)
          emailResults.push(await checkContactedStatus(notion, config.NOTION_CONTACTS_DB_ID, config.STATUS_CONTACTED));
      } else
        notionResults.push({
          name: "Notion schema",
          outcome: "skip",
          detail: "not checked: Notion must be reachable and accept the token first",
        });
    }
    const slackResults = [
      // In app mode an unset webhook URL is expected, not worth a warning.
      ...(isSlackAppMode(config) && config.SLACK_WEBHOOK_URL === undefined
        ? []
        : [checkSlackUrl(config.SLACK_WEBHOOK_URL, { malformed: malformed.has("SLACK_WEBHOOK_URL") })]),
      ...(malformed.has("SLACK_API_URL") ? [] : await checkSlackApp(config, options.slack)),
    ];
    const all = [
      ...results,
      ...notionResults,
      ...slackResults,
      ...(state.db === undefined ? [] : releaseHeldSlack(state.db, slackResults)),
      ...ownerResults,
      ...(malformed.has("TURNSTILE_VERIFY_URL") ? [] : await checkTurnstile(config, options.turnstile)),
      checkDealAlerts(config),
      ...emailResults,
      state.result,
      ...(state.db === undefined
        ? []
        : checkLeadQueue(state.db, { backlogAfterMs: config.LEAD_BACKLOG_ALERT_MINUTES * 60_000 })),
    ];
    return all.map((result) => ({ ...result, detail: maskSecrets(result.detail, secretValues(config)) }));
  } finally {
    db.close();
  }
}

/**
 * Slack messages held because Slack refused the token, webhook or channel go
 * out once the Slack checks pass again: the fix has been made.
 */
function releaseHeldSlack(db: Store, slackResults: readonly CheckResult[]): CheckResult[] {
  const outbox = createSlackOutbox(db);
  const held = outbox.heldCount();
  if (held === 0) return [];
  // A malformed setting skips its check: not a pass either.
  if (slackResults.some((result) => result.outcome === "fail" || result.outcome === "skip")) {
    return [
      {
        name: "Slack messages",
        outcome: "warn",
        detail: `${held} held since Slack refused them; they go out once the Slack checks above pass`,
      },
    ];
  }
  const released = outbox.releaseHeld();
  return [
    {
      name: "Slack messages",
      outcome: "pass",
      detail: `${released} held since Slack refused them are released: the server sends them within seconds`,
    },
  ];
}

function databaseIds(config: Config): CrmDatabaseIds {
  return {
    ...(config.NOTION_CONTACTS_DB_ID && { contacts: config.NOTION_CONTACTS_DB_ID }),
    ...(config.NOTION_DEALS_DB_ID && { deals: config.NOTION_DEALS_DB_ID }),
    ...(config.NOTION_ACTIVITIES_DB_ID && { activities: config.NOTION_ACTIVITIES_DB_ID }),
  };
}

function openScratchStore(): Store {
  const db = new Database(":memory:");
  migrate(db, MIGRATIONS);
  return db;
}

function silentLogger(): Logger {
  return createLogger({ level: "silent" });
}

// A second net: no check prints a secret, but an error message from elsewhere
// might. Very short values are left alone, as the logger does: they would mask words.
const MIN_MASKED_SECRET_LENGTH = 6;

function maskSecrets(text: string, secrets: readonly string[]): string {
  return secrets
    .filter((secret) => secret.length >= MIN_MASKED_SECRET_LENGTH)
    .reduce((masked, secret) => masked.replaceAll(secret, "[redacted]"), text);
}
