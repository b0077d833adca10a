import type { SlackAppSettings } from "../slack/slack-app-from-config.js";
import { createSlackWebApi, type SlackApiResult } from "../slack/slack-web-api.js";
import type { CheckResult } from "./check-result.js";

const NAME = "Slack app";
const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

/**
 * Each feature of app mode and the bot scopes it needs (docs/slack-app.md
 * explains each). Direct messages need nothing more than chat:write: they are
 * chat.postMessage to the person's user id, which opens the app's DM with
 * them; im:write (conversations.open) is never called.
 */
export const SLACK_FEATURE_SCOPES = [
  { feature: "posting messages", scopes: ["chat:write"], required: true },
  { feature: "mentioning deal owners", scopes: ["users:read", "users:read.email"], required: false },
  { feature: "the weekly report's chart", scopes: ["files:write"], required: false },
  {
    feature: "the Claim button (who clicked, by their Slack email)",
    scopes: ["users:read", "users:read.email"],
    required: false,
  },
] as const;
export const POST_WITHOUT_JOINING_SCOPE = "chat:write.public";

export type CheckSlackAppOptions = {
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
};

/**
 * App mode's settings against Slack itself: auth.test (the token, the team,
 * the bot's name, and in its `x-oauth-scopes` header the scopes granted),
 * the scopes each feature lacks, and conversations.info for the channel.
 * Nothing is posted. Nothing when app mode is not configured at all.
 */
export async function checkSlackApp(
  config: SlackAppSettings,
  options: CheckSlackAppOptions = {},
): Promise<CheckResult[]> {
  const { SLACK_BOT_TOKEN: token, SLACK_CHANNEL: channel } = config;
  const signing = signingSecretResult(config);
  if (token === undefined && channel === undefined) return signing === undefined ? [] : [signing];
  if (token === undefined || channel === undefined) {
    const missing = token === undefined ? "SLACK_BOT_TOKEN" : "SLACK_CHANNEL";
    return [
      {
        name: NAME,
        outcome: "fail",
        detail: `${missing} is not set: app mode needs both SLACK_BOT_TOKEN and SLACK_CHANNEL (until then the webhook or the log is used)`,
      },
    ];
  }
  const api = createSlackWebApi({
    token,
    apiUrl: config.SLACK_API_URL,
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });

  const auth = await api.post("auth.test");
  if (!auth.ok) return [{ name: NAME, outcome: "fail", detail: authProblem(auth, config.SLACK_API_URL) }];
  const team = stringOf(auth.body["team"]);
  const bot = stringOf(auth.body["user"]);
  const results: CheckResult[] = [
    { name: NAME, outcome: "pass", detail: `SLACK_BOT_TOKEN is accepted: workspace "${team}", bot "${bot}"` },
  ];

  const header = auth.headers.get("x-oauth-scopes");
  const scopes = header === null ? undefined : new Set(header.split(",").map((scope) => scope.trim()));
  results.push(...scopeResults(scopes));
  results.push(await channelResult(api, channel, scopes));
  if (signing !== undefined) results.push(signing);
  return results;
}

/** Buttons need the signing secret with the bot token: one without the other is half a setup. */
function signingSecretResult(config: SlackAppSettings): CheckResult | undefined {
  const secret = config.SLACK_SIGNING_SECRET !== undefined;
  if (secret && config.SLACK_BOT_TOKEN === undefined) {
    return {
      name: NAME,
      outcome: "fail",
      detail:
        "SLACK_SIGNING_SECRET is set without SLACK_BOT_TOKEN: buttons need the app's bot token too (docs/slack-app.md)",
    };
  }
  if (!secret && config.SLACK_BOT_TOKEN !== undefined) {
    return {
      name: NAME,
      outcome: "warn",
      detail:
        "SLACK_SIGNING_SECRET is not set: messages carry no buttons (Claim, Contacted, Snooze, Not a fit); set it from the app's Basic Information page",
    };
  }
  if (!secret) return undefined;
  return { name: NAME, outcome: "pass", detail: "SLACK_SIGNING_SECRET is set: clicks arrive at POST /slack/actions" };
}

function authProblem(auth: Extract<SlackApiResult, { ok: false }>, apiUrl: string): string {
  if (auth.permanent && auth.error !== undefined) {
    return `Slack refused SLACK_BOT_TOKEN (${auth.error}): copy the app's Bot User OAuth Token (xoxb-…) again from its OAuth & Permissions page`;
  }
  return `cannot check the token: Slack's Web API at ${apiUrl} (SLACK_API_URL) answered ${auth.reason}`;
}

function scopeResults(scopes: ReadonlySet<string> | undefined): CheckResult[] {
  if (scopes === undefined) {
    return [
      { name: NAME, outcome: "warn", detail: "Slack did not say which scopes the token has, so they were not checked" },
    ];
  }
  const lacking = SLACK_FEATURE_SCOPES.flatMap(({ feature, scopes: needed, required }): CheckResult[] => {
    const missing = needed.filter((scope) => !scopes.has(scope));
    if (missing.length === 0) return [];
    return [
      {
        name: NAME,
        outcome: required ? "fail" : "warn",
        detail: `${feature} needs the bot scope${missing.length === 1 ? "" : "s"} ${missing.join(", ")}: add ${missing.length === 1 ? "it" : "them"} under OAuth & Permissions and reinstall the app`,
      },
    ];
  });
  if (lacking.length > 0) return lacking;
  return [{ name: NAME, outcome: "pass", detail: "the token has every scope the features need" }];
}

async function channelResult(
  api: ReturnType<typeof createSlackWebApi>,
  channel: string,
  scopes: ReadonlySet<string> | undefined,
): Promise<CheckResult> {
  if (!CHANNEL_ID.test(channel)) {
    return {
      name: NAME,
      outcome: "warn",
      detail: `SLACK_CHANNEL is a name; Slack looks channels up by id, so it was not checked (channel details → copy the channel ID, e.g. C0123456789)`,
    };
  }
  const info = await api.get("conversations.info", { channel });
  if (!info.ok) {
    if (info.error === "channel_not_found") {
      return {
        name: NAME,
        outcome: "fail",
        detail: `SLACK_CHANNEL ${channel} was not found (channel_not_found): check the id; for a private channel, invite the app first`,
      };
    }
    if (info.error === "missing_scope") {
      return {
        name: NAME,
        outcome: "warn",
        detail: `the channel was not checked: conversations.info needs channels:read (groups:read for a private channel), which only this check uses`,
      };
    }
    return { name: NAME, outcome: "fail", detail: `SLACK_CHANNEL ${channel} could not be checked: ${info.reason}` };
  }
  const found = (info.body["channel"] ?? {}) as { name?: unknown; is_archived?: unknown; is_member?: unknown };
  const label = typeof found.name === "string" ? `#${found.name} (${channel})` : channel;
  if (found.is_archived === true) {
    return { name: NAME, outcome: "fail", detail: `${label} is archived (is_archived): messages to it are refused` };
  }
  if (found.is_member !== true && scopes !== undefined && !scopes.has(POST_WITHOUT_JOINING_SCOPE)) {
    return {
      name: NAME,
      outcome: "fail",
      detail: `the app is not in ${label} (not_in_channel): invite it (/invite @the app) or add the ${POST_WITHOUT_JOINING_SCOPE} scope`,
    };
  }
  const how =
    found.is_member === true ? "the app is a member" : `it posts without joining (${POST_WITHOUT_JOINING_SCOPE})`;
  return { name: NAME, outcome: "pass", detail: `${label} is reachable; ${how}` };
}

function stringOf(value: unknown): string {
  return typeof value === "string" && value !== "" ? value : "?";
}
