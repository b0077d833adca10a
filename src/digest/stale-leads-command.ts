import { parseArgs } from "node:util";
import type { ConfigWith } from "../config/load-config.js";
import type { Logger } from "../log/create-logger.js";
import { runScheduledCommand, type ScheduledCommandIo } from "../schedule/scheduled-command.js";
import { DIGEST_LEAD_ACTIONS } from "../slack/lead-buttons.js";
import { hasSlackButtons, isSlackAppMode } from "../slack/slack-app-from-config.js";
import { createLeadSnoozes } from "../store/lead-snoozes.js";
import { runDigest, type DigestDeps, type DigestOutcome } from "./run-digest.js";
import { DIGEST_SCHEDULE } from "./schedule-digest.js";

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
  io: ScheduledCommandIo,
): Promise<number> {
  let notionRequests = 0;
  return runScheduledCommand(
    { once: args.once, config, logger, io, onNotionSend: () => void notionRequests++ },
    ({ db, notion, outbox, sender, now }) => {
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
        if (outcome.kind === "dry-run") io.print(outcome.message.text);
        if (outcome.kind === "nothing-stale" && args.dryRun) io.print("No stale leads: no digest would be posted.");
        logger.info(
          { outcome: outcome.kind, notionRequests: notionRequests - requestsBefore, ms: Date.now() - startedAt },
          "stale-lead digest finished",
        );
      };
      return {
        schedule: { ...DIGEST_SCHEDULE, cronExpression: config.DIGEST_CRON, timeZone: config.DIGEST_TZ },
        noun: "digest",
        databases: { contacts: config.NOTION_CONTACTS_DB_ID },
        runOnce: async () => {
          const startedAt = Date.now();
          finished(await runDigest(deps, { force: args.force, dryRun: args.dryRun }), startedAt, 0);
        },
        runScheduled: async () => {
          const startedAt = Date.now();
          const before = notionRequests;
          // One Slack attempt here: the background sender keeps retrying, so a slow Slack never holds up the schedule.
          const outcome = await runDigest(deps, { force: args.force, dryRun: args.dryRun, slackAttempts: 1 });
          finished(outcome, startedAt, before);
        },
      };
    },
  );
}
