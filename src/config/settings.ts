import cron from "node-cron";
import { z } from "zod";
import { parseFieldMap } from "./parse-field-map.js";
import { parseNotionId } from "./parse-notion-id.js";
import { parseOrigins } from "./parse-origins.js";
import { isUsableSlackWebhookUrl, SLACK_WEBHOOK_URL_PROBLEM } from "./slack-webhook-url.js";
import { parseStageProbabilities } from "./parse-stage-probabilities.js";

export const DEFAULT_NOTION_BASE_URL = "https://api.notion.com";
/** Notion's per-connection budget per 60-second window on Free and Plus (600 on Business and Enterprise). */
export const DEFAULT_NOTION_REQUESTS_PER_MINUTE = 180;
export const DEFAULT_SLACK_API_URL = "https://slack.com/api";
export const DEFAULT_PORT = 3000;
export const DEFAULT_STALE_LEAD_DAYS = 30;
export const DEFAULT_DIGEST_CRON = "0 9 * * *";
// Form-service webhooks all come from the service's own servers, so the per-IP
// limit counts a whole service: it is a flood guard for a leaked secret, not a
// per-person limit (that is the per-email one). 20 would refuse a busy form's leads.
export const DEFAULT_LEADS_PER_IP_PER_HOUR = 300;
export const DEFAULT_LEADS_PER_EMAIL_PER_HOUR = 5;
export const DEFAULT_DEALS_POLL_SECONDS = 300;
/** The weekly pipeline report: Mondays at 8. */
export const DEFAULT_REPORT_CRON = "0 8 * * 1";
export const DEFAULT_STUCK_DEAL_DAYS = 21;
/** While Notion refuses creates, one held lead is tried this often. */
export const DEFAULT_NOTION_HOLD_RETRY_SECONDS = 600;
export const DEFAULT_LEAD_BACKLOG_ALERT_MINUTES = 15;
/** The Status a lead gets when someone contacts it (a Slack button, a logged email). */
export const DEFAULT_STATUS_CONTACTED = "contacted";
export const DEFAULT_STATUS_NOT_A_FIT = "not a fit";
export const DEFAULT_SNOOZE_DAYS = 7;
/** Finished queue rows (submissions, events, Slack messages) are pruned after this many days. */
export const DEFAULT_RETENTION_DAYS = 90;
export const DEFAULT_TURNSTILE_VERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";
/** Settings the server refuses to start without (the contract's "required"); `check` reports them too. */
export const SERVER_REQUIRED_SETTINGS = ["NOTION_TOKEN", "NOTION_CONTACTS_DB_ID", "FORM_SECRET"] as const;
/** Read by the stale-lead digest and the weekly report alone (`npm run stale-leads`, `npm run report`), never by the server. */
const DIGEST_ONLY_SETTINGS: readonly SettingName[] = [
  "STALE_LEAD_DAYS",
  "DIGEST_CRON",
  "DIGEST_TZ",
  "REPORT_CRON",
  "STAGE_PROBABILITIES",
  "STUCK_DEAL_DAYS",
];
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const text = z.string().min(1);

const httpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .transform((url) => url.replace(/\/+$/, ""));

const slackWebhookUrl = httpUrl.refine(isUsableSlackWebhookUrl, SLACK_WEBHOOK_URL_PROBLEM);

const notionId = z.string().transform((value, ctx) => {
  const id = parseNotionId(value);
  if (id === undefined) {
    ctx.addIssue({ code: "custom", message: "must be a 32-hex Notion id, a dashed UUID, or the database's URL" });
    return z.NEVER;
  }
  return id;
});

const positiveNumber = z.coerce
  .number({ error: "must be a number" })
  .positive("must be greater than 0")
  .max(1000, "must be at most 1000");

const hourlyLimit = z.coerce
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(0, "must be 0 (no limit) or more")
  .max(1_000_000);

const fieldMap = z.string().transform((value, ctx) => {
  const parsed = parseFieldMap(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  }
  return parsed.map;
});

const origins = z.string().transform((value, ctx) => {
  const parsed = parseOrigins(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  }
  return parsed.origins;
});

const stageProbabilities = z.string().transform((value, ctx) => {
  const parsed = parseStageProbabilities(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  }
  return parsed.probabilities;
});

// Kept exactly as written: a trailing slash may matter to the page it names.
const redirectUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

const EMAIL_DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** `acme.com, acme.io`: lower-cased, a leading `@` tolerated; at least one. */
const emailDomains = z.string().transform((value, ctx) => {
  const domains = value
    .split(",")
    .map((domain) => domain.trim().toLowerCase().replace(/^@/, ""))
    .filter((domain) => domain !== "");
  const bad = domains.find((domain) => !EMAIL_DOMAIN.test(domain));
  if (domains.length === 0 || bad !== undefined) {
    ctx.addIssue({ code: "custom", message: "must be comma-separated domains such as acme.com,acme.io" });
    return z.NEVER;
  }
  return [...new Set(domains)];
});

const timeZone = z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin");

/**
 * Every setting of the contract, keyed by its environment variable. Values
 * are the parsed form; an empty string counts as unset (a `.env` line with
 * nothing after `=`).
 */
export const settingsSchema = z.object({
  NOTION_TOKEN: text.optional(),
  NOTION_BASE_URL: httpUrl.default(DEFAULT_NOTION_BASE_URL),
  NOTION_CONTACTS_DB_ID: notionId.optional(),
  NOTION_DEALS_DB_ID: notionId.optional(),
  NOTION_ACTIVITIES_DB_ID: notionId.optional(),
  NOTION_REQUESTS_PER_MINUTE: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number of requests")
    .min(1, "must be at least 1")
    .max(60_000, "must be at most 60000")
    .optional(),
  // The older name, per second: 3 means 180 a minute. NOTION_REQUESTS_PER_MINUTE wins when both are set.
  NOTION_RATE_LIMIT_RPS: positiveNumber.optional(),
  FORM_SECRET: text.optional(),
  // A second accepted /lead key while FORM_SECRET is being rotated.
  FORM_SECRET_PREVIOUS: text.optional(),
  NOTION_WEBHOOK_SECRET: text.optional(),
  SLACK_WEBHOOK_URL: slackWebhookUrl.optional(),
  SLACK_ALERTS_WEBHOOK_URL: slackWebhookUrl.optional(),
  NOTION_HOLD_RETRY_SECONDS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number of seconds")
    .min(10, "must be at least 10")
    .max(86_400, "must be at most 86400 (a day)")
    .default(DEFAULT_NOTION_HOLD_RETRY_SECONDS),
  LEAD_BACKLOG_ALERT_MINUTES: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number of minutes")
    .min(1)
    .max(10_080, "must be at most 10080 (a week)")
    .default(DEFAULT_LEAD_BACKLOG_ALERT_MINUTES),
  // Slack as an app: with both set, messages go through Slack's Web API instead of the webhook.
  SLACK_BOT_TOKEN: text.optional(),
  SLACK_CHANNEL: text.optional(),
  // App mode: the channel for operator alerts; unset (and no alerts webhook): the log, never SLACK_CHANNEL.
  SLACK_ALERTS_CHANNEL: text.optional(),
  SLACK_API_URL: httpUrl.default(DEFAULT_SLACK_API_URL),
  // New-lead alerts, and buttons on them and on the digest (with SLACK_BOT_TOKEN).
  NEW_LEAD_ALERTS: z.enum(["on", "off"], { error: "must be on or off" }).default("on"),
  SLACK_SIGNING_SECRET: text.optional(),
  STATUS_CONTACTED: z.string().trim().min(1).max(100).default(DEFAULT_STATUS_CONTACTED),
  STATUS_NOT_A_FIT: z.string().trim().min(1).max(100).default(DEFAULT_STATUS_NOT_A_FIT),
  SNOOZE_DAYS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number of days")
    .min(1)
    .max(365, "must be at most 365")
    .default(DEFAULT_SNOOZE_DAYS),
  HOST: text.default("127.0.0.1"),
  PORT: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(0)
    .max(65_535)
    .default(DEFAULT_PORT),
  DATA_DIR: text.default("./data"),
  RETENTION_DAYS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number of days")
    .min(1, "must be at least 1")
    .max(3650, "must be at most 3650")
    .default(DEFAULT_RETENTION_DAYS),
  STALE_LEAD_DAYS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number of days")
    .min(1)
    .max(3650)
    .default(DEFAULT_STALE_LEAD_DAYS),
  DIGEST_CRON: z
    .string()
    .refine((expression) => cron.validate(expression), 'must be a cron expression such as "0 9 * * *"')
    .default(DEFAULT_DIGEST_CRON),
  DIGEST_TZ: timeZone.default(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  // Form services: each route /lead/<service> exists only while its secret is set.
  TYPEFORM_SECRET: text.optional(),
  TALLY_SECRET: text.optional(),
  WEBFLOW_SECRET: text.optional(),
  FORMSPREE_SECRET: text.optional(),
  FRAMER_SECRET: text.optional(),
  FORM_FIELD_MAP: fieldMap.optional(),
  HONEYPOT_FIELD: text.optional(),
  LEADS_PER_IP_PER_HOUR: hourlyLimit.default(DEFAULT_LEADS_PER_IP_PER_HOUR),
  LEADS_PER_EMAIL_PER_HOUR: hourlyLimit.default(DEFAULT_LEADS_PER_EMAIL_PER_HOUR),
  // How often the Deals database is asked for edited deals; 0 turns polling off.
  DEALS_POLL_SECONDS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number of seconds")
    .min(0, "must be 0 (off) or more")
    .max(86_400, "must be at most 86400 (a day)")
    .default(DEFAULT_DEALS_POLL_SECONDS),
  // POST /form, for static sites: on only while FORM_ALLOWED_ORIGINS is set.
  FORM_ALLOWED_ORIGINS: origins.optional(),
  FORM_REDIRECT_URL: redirectUrl.optional(),
  TURNSTILE_SECRET: text.optional(),
  TURNSTILE_VERIFY_URL: httpUrl.default(DEFAULT_TURNSTILE_VERIFY_URL),
  // The weekly pipeline report (npm run report).
  REPORT_CRON: z
    .string()
    .refine((expression) => cron.validate(expression), 'must be a cron expression such as "0 8 * * 1"')
    .default(DEFAULT_REPORT_CRON),
  STAGE_PROBABILITIES: stageProbabilities.optional(),
  STUCK_DEAL_DAYS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number of days")
    .min(1)
    .max(3650)
    .default(DEFAULT_STUCK_DEAL_DAYS),
  // Logging the team's emails (docs/email-logging.md): the /inbound-email/* routes exist only while this is set.
  TEAM_EMAIL_DOMAINS: emailDomains.optional(),
  INBOUND_EMAIL_SECRET: text.optional(),
  MAILGUN_SIGNING_KEY: text.optional(),
});

export type SettingName = keyof z.input<typeof settingsSchema>;
export type Settings = z.output<typeof settingsSchema>;

/** Notion's budget per minute from either name: NOTION_REQUESTS_PER_MINUTE, else NOTION_RATE_LIMIT_RPS × 60, else 180. */
export function requestsPerMinuteOf(
  settings: Pick<Settings, "NOTION_REQUESTS_PER_MINUTE" | "NOTION_RATE_LIMIT_RPS">,
): number {
  if (settings.NOTION_REQUESTS_PER_MINUTE !== undefined) return settings.NOTION_REQUESTS_PER_MINUTE;
  if (settings.NOTION_RATE_LIMIT_RPS !== undefined) return Math.max(1, Math.round(settings.NOTION_RATE_LIMIT_RPS * 60));
  return DEFAULT_NOTION_REQUESTS_PER_MINUTE;
}

/** Settings whose values must never reach a log line or an error message. */
export const SECRET_SETTINGS = [
  "NOTION_TOKEN",
  "FORM_SECRET",
  "FORM_SECRET_PREVIOUS",
  "NOTION_WEBHOOK_SECRET",
  "SLACK_WEBHOOK_URL",
  "SLACK_ALERTS_WEBHOOK_URL",
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "TYPEFORM_SECRET",
  "TALLY_SECRET",
  "WEBFLOW_SECRET",
  "FORMSPREE_SECRET",
  "FRAMER_SECRET",
  "TURNSTILE_SECRET",
  "INBOUND_EMAIL_SECRET",
  "MAILGUN_SIGNING_KEY",
] as const satisfies readonly SettingName[];

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Every setting `npm start` reads, and so validates at start: all but the digest's own. */
export const SERVER_SETTINGS = (Object.keys(settingsSchema.shape) as SettingName[]).filter(
  (name) => !DIGEST_ONLY_SETTINGS.includes(name),
);
