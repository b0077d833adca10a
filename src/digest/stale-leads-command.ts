import { parseArgs } from "node:util";
import type { ConfigWith } from "../config/load-config.js";
import type { Logger } from "../log/create-logger.js";
import { assertCrmSchema } from "../notion/check-crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import { notionGatewayFromConfig, type NotionGatewayOptions } from "../notion/notion-gateway.js";
import { DIGEST_LEAD_ACTIONS } from "../slack/lead-buttons.js";
import { hasSlackButtons, isSlackAppMode, slackDestinationsFromConfig } from "../slack/slack-app-from-config.js";
import { createLeadSnoozes } from "../store/lead-snoozes.js";
import { isSlackUndelivered } from "../slack/slack-delivery-error.js";
import { createSlackOutbox } from "../slack/slack-outbox.js";
import { createSlackSender } from "../slack/slack-sender.js";
import { openStore } from "../store/open-store.js";
import { runDigest, type DigestDeps, type DigestOutcome } from "./run-digest.js";
import { scheduleDigest } from "./schedule-digest.js";

/** What the digest cannot run without (no FORM_SECRET: it serves no form). */
export const DIGEST_REQUIRED_SETTINGS = ["NOTION_TOKEN", "NOTION_CONTACTS_DB_ID"] as const;
export type DigestConfig = ConfigWith<(typeof DIGEST_REQUIRED_SETTINGS)[number]>;

export type StaleLeadsArgs = { once: boolean; dryRun: boolean; force: boolean };

export function parseStaleLeadsArgs(argv: readonly string[]): StaleLeadsArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      once: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      force: { type: "boolean", default: false },
    },
  });
  return { once: values.once, dryRun: values["dry-run"], force: values.force };
}

/** Seams for tests: timings that are seconds in production, and the clock. */
export type StaleLeadsOverrides = Partial<
  Pick<NotionGatewayOptions, "backoffBaseMs" | "attemptTimeoutMs" | "maxAttempts">
> & {
  slackRetryBaseMs?: number;
  now?: () => number;
};

export type StaleLeadsIo = {
  /** Where --dry-run writes the message. */
  print: (text: string) => void;
  /** Stops the scheduler (SIGTERM, SIGINT) and cuts a run in progress short. */
  signal: AbortSignal;
  overrides?: StaleLeadsOverrides;
};

/**
 * `npm run stale-leads`: with --once one digest now, exit status 0 unless
 * Notion or Slack failed after their retries; without it, the digest on
 * DIGEST_CRON in DIGEST_TZ until stopped, with queued Slack messages sent
 * in the background.
 */
export async function staleLeadsCommand(
  args: StaleLeadsArgs,
  config: DigestConfig,
  logger: Logger,
  { print, signal, overrides = {} }: StaleLeadsIo,
): Promise<number> {
  const { slackRetryBaseMs, now, ...gatewayOverrides } = overrides;
  const db = openStore(config.DATA_DIR);
  try {
    let notionRequests = 0;
    const notion = notionGatewayFromConfig(config, {
      db,
      logger,
      signal,
      onSend: () => void notionRequests++,
      // A long digest is bulk work: a lead reaching the server meanwhile goes first.
      lane: "bulk",
      ...gatewayOverrides,
    });
    const outbox = createSlackOutbox(db);
    const sender = createSlackSender({
      outbox,
      db,
      // The outbox is shared: a queued operator alert may be this process's to send.
      ...slackDestinationsFromConfig(config, { db, notion, logger }),
      logger,
      ...(slackRetryBaseMs !== undefined && { retryBaseMs: slackRetryBaseMs }),
    });
    const deps: DigestDeps = {
      notion,
      contactsDatabaseId: config.NOTION_CONTACTS_DB_ID,
      outbox,
      sender,
      logger,
      staleAfterDays: config.STALE_LEAD_DAYS,
      timeZone: config.DIGEST_TZ,
      directMessages: isSlackAppMode(config),
      ...(hasSlackButtons(config) && { buttons: DIGEST_LEAD_ACTIONS }),
      snoozedAt: createLeadSnoozes(db).snoozedAt,
      ...(now && { now }),
    };
    const finished = (outcome: DigestOutcome, startedAt: number, requestsBefore: number) => {
      if (outcome.kind === "dry-run") print(outcome.message.text);
      if (outcome.kind === "nothing-stale" && args.dryRun) print("No stale leads: no digest would be posted.");
      logger.info(
        { outcome: outcome.kind, notionRequests: notionRequests - requestsBefore, ms: Date.now() - startedAt },
        "stale-lead digest finished",
      );
    };

    if (args.once) {
      const startedAt = Date.now();
      finished(await runDigest(deps, { force: args.force, dryRun: args.dryRun }), startedAt, 0);
      return 0;
    }

    // Notion being down now is no reason not to wait for 9 am; a wrong schema or token is.
    await assertCrmSchema(notion, { contacts: config.NOTION_CONTACTS_DB_ID }).catch((error: unknown) => {
      if (!isNotionGatewayError(error) || !error.retryable) throw error;
      logger.warn({ err: error }, "Notion is unreachable now; each scheduled digest checks again");
    });
    sender.start();
    const schedule = scheduleDigest({
      cronExpression: config.DIGEST_CRON,
      timeZone: config.DIGEST_TZ,
      logger,
      signal,
      run: async () => {
        const startedAt = Date.now();
        const before = notionRequests;
        // One Slack attempt here: the background sender keeps retrying, so a slow Slack never holds up the schedule.
        const outcome = await runDigest(deps, { force: args.force, dryRun: args.dryRun, slackAttempts: 1 }).catch(
          (error: unknown) => {
            if (!isSlackUndelivered(error)) throw error;
            logger.warn(
              { outboxId: error.item.id, reason: error.item.lastError },
              "stale-lead digest queued; Slack did not take it yet, the sender keeps retrying",
            );
            return undefined;
          },
        );
        if (outcome !== undefined) finished(outcome, startedAt, before);
      },
    });
    await new Promise<void>((resolve) =>
      signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    await schedule.stop();
    await sender.stop();
    return 0;
  } finally {
    db.close();
  }
}
