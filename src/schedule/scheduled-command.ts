import type { Logger } from "../log/create-logger.js";
import { assertCrmSchema, type CrmDatabaseIds } from "../notion/check-crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import { notionGatewayFromConfig, type NotionGateway, type NotionGatewayOptions } from "../notion/notion-gateway.js";
import { slackDestinationsFromConfig, type SlackAppSettings } from "../slack/slack-app-from-config.js";
import { isSlackUndelivered } from "../slack/slack-delivery-error.js";
import { createSlackOutbox, type SlackOutbox } from "../slack/slack-outbox.js";
import { createSlackSender, type SlackSender } from "../slack/slack-sender.js";
import { openStore, type Store } from "../store/open-store.js";
import { scheduleCron, type ScheduleCronOptions } from "./schedule-cron.js";

/** Seams for tests: timings that are seconds in production, and the clock. */
export type ScheduledCommandOverrides = Partial<
  Pick<NotionGatewayOptions, "backoffBaseMs" | "attemptTimeoutMs" | "maxAttempts">
> & {
  slackRetryBaseMs?: number;
  now?: () => number;
};

export type ScheduledCommandIo = {
  /** Where the command writes what a person reads (--dry-run's message, --out's file name). */
  print: (text: string) => void;
  /** Stops the scheduler (SIGTERM, SIGINT) and cuts a run in progress short. */
  signal: AbortSignal;
  overrides?: ScheduledCommandOverrides;
};

/** The settings every scheduled command reads: Notion, Slack and DATA_DIR. */
export type ScheduledCommandConfig = Parameters<typeof notionGatewayFromConfig>[0] &
  SlackAppSettings & { DATA_DIR: string };

/** What the command builds for its job: one store, a bulk-lane gateway, the outbox and its sender. */
export type ScheduledCommandTools = {
  db: Store;
  notion: NotionGateway;
  outbox: SlackOutbox;
  sender: SlackSender;
  now: (() => number) | undefined;
};

export type ScheduledJob = {
  /** When it fires and what the log lines call it (label "stale-lead digest", area "digest-schedule"). */
  schedule: Pick<ScheduleCronOptions, "label" | "area" | "cronExpression" | "timeZone">;
  /** Its short name: "each scheduled digest checks again". */
  noun: string;
  /** The databases it reads: a wrong schema or token stops the command before it waits. */
  databases: CrmDatabaseIds;
  /** One run now (--once); what it throws ends the command. */
  runOnce: () => Promise<void>;
  /** One scheduled run; a message Slack did not take yet is left to the background sender. */
  runScheduled: () => Promise<void>;
};

export type ScheduledCommandOptions = {
  /** --once: one run now, then exit 0; otherwise the job on its cron until the signal. */
  once: boolean;
  config: ScheduledCommandConfig;
  logger: Logger;
  io: Pick<ScheduledCommandIo, "signal" | "overrides">;
  /** Counts the command's Notion requests, for its log line. */
  onNotionSend?: NotionGatewayOptions["onSend"];
};

/**
 * A command that runs a job once (--once) or stays up and runs it on its cron
 * (the digest, the report). Its work is bulk: a lead reaching the server
 * meanwhile goes first. Exit status 0 unless the job throws: with --once,
 * whatever it throws (Notion or Slack failing after their retries) ends the
 * command; on the cron, a failed run is logged and the next one tries again.
 */
export async function runScheduledCommand(
  { once, config, logger, io: { signal, overrides = {} }, onNotionSend }: ScheduledCommandOptions,
  setUp: (tools: ScheduledCommandTools) => ScheduledJob,
): Promise<number> {
  const { slackRetryBaseMs, now, ...gatewayOverrides } = overrides;
  const db = openStore(config.DATA_DIR);
  try {
    const notion = notionGatewayFromConfig(config, {
      db,
      logger,
      signal,
      ...(onNotionSend && { onSend: onNotionSend }),
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
    const job = setUp({ db, notion, outbox, sender, now });

    if (once) {
      await job.runOnce();
      return 0;
    }

    // Notion being down now is no reason not to wait for the next firing; a wrong schema or token is.
    await assertCrmSchema(notion, job.databases).catch((error: unknown) => {
      if (!isNotionGatewayError(error) || !error.retryable) throw error;
      logger.warn({ err: error }, `Notion is unreachable now; each scheduled ${job.noun} checks again`);
    });
    sender.start();
    const schedule = scheduleCron({
      ...job.schedule,
      logger,
      signal,
      run: () =>
        job.runScheduled().catch((error: unknown) => {
          if (!isSlackUndelivered(error)) throw error;
          logger.warn(
            { outboxId: error.item.id, reason: error.item.lastError },
            `${job.schedule.label} queued; Slack did not take it yet, the sender keeps retrying`,
          );
        }),
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
