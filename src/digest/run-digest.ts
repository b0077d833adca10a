import { workerTargets } from "../notion/worker-targets.js";
import type { Logger } from "../log/create-logger.js";
import { assertCrmSchema } from "../notion/check-crm-schema.js";
import { propertyIdsOf } from "../notion/filter-properties.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { LeadAction } from "../slack/lead-buttons.js";
import { SlackDeliveryError, type SlackDeliveryWords } from "../slack/slack-delivery-error.js";
import type { SlackMessage } from "../slack/slack-message.js";
import type { OutboxItem, SlackOutbox } from "../slack/slack-outbox.js";
import type { SlackSender } from "../slack/slack-sender.js";
import { calendarDay } from "./calendar-day.js";
import { findStaleLeads } from "./find-stale-leads.js";
import { staleDigestMessage } from "./stale-digest-message.js";
import { STALE_LEAD_PROPERTIES } from "./stale-lead.js";

const MS_PER_DAY = 86_400_000;
/** Slack sends one run makes before it reports failure (about 15 s of backoff). */
export const DIGEST_SLACK_ATTEMPTS = 5;
/** How a digest Slack did not take is named: still queued, another run today or a sender delivers it. */
const DIGEST_DELIVERY: SlackDeliveryWords = {
  what: "stale-lead digest",
  scopes: "its scopes",
  runAgain: "run again with --force",
  laterSenders: "the server, `npm run stale-leads`, or the next --once run today",
};

export type DigestDeps = {
  notion: NotionGateway;
  contactsDatabaseId: string;
  outbox: SlackOutbox;
  sender: Pick<SlackSender, "deliver">;
  logger: Logger;
  staleAfterDays: number;
  /** DIGEST_TZ: the zone of "today" for the day guard and of days since last touched. */
  timeZone: string;
  /** Slack app mode: each owner of stale leads (Contacts' optional Owner) also gets their own in a direct message. */
  directMessages?: boolean;
  /** Slack app mode with a signing secret: each listed lead carries these buttons. */
  buttons?: readonly LeadAction[];
  /** The leads snoozed at a moment (page ids without dashes): left out of every digest message. */
  snoozedAt?: (nowMs: number) => ReadonlySet<string>;
  now?: () => number;
};

export type DigestRunOptions = {
  /** Post even if today's digest went out already. */
  force?: boolean;
  /** Build the message and return it; write nothing. */
  dryRun?: boolean;
  /** @default DIGEST_SLACK_ATTEMPTS */
  slackAttempts?: number;
};

export type DigestOutcome =
  | { kind: "sent"; staleCount: number; item: OutboxItem; ownerMessages?: OutboxItem[] }
  | { kind: "already-sent"; item: OutboxItem }
  | { kind: "nothing-stale" }
  | { kind: "dry-run"; staleCount: number; message: SlackMessage; alreadySentToday: boolean };

/**
 * One digest: the day guard, the stale leads from Notion, the message, the
 * outbox, Slack. The guard is the outbox's dedupe key `digest:<day in
 * DIGEST_TZ>`, so a crontab line and the scheduler enabled together post
 * once. It is looked at before Notion, so a second run costs no Notion call;
 * the outbox's unique key settles two runs that start at the same moment.
 * A day with nothing stale posts nothing and leaves the guard unused.
 */
export async function runDigest(
  deps: DigestDeps,
  { force = false, dryRun = false, slackAttempts = DIGEST_SLACK_ATTEMPTS }: DigestRunOptions = {},
): Promise<DigestOutcome> {
  const { outbox, logger } = deps;
  const log = logger.child({ area: "digest" });
  const nowMs = (deps.now ?? Date.now)();
  const dayKey = `digest:${calendarDay(nowMs, deps.timeZone)}`;
  // Attempts are counted per run: a digest an earlier run left queued gets this run's share too.
  const deliver = async (item: OutboxItem) => {
    const settled = await deps.sender.deliver(item.id, { maxAttempts: item.attempts + slackAttempts });
    if (settled.state !== "sent") throw new SlackDeliveryError(settled, DIGEST_DELIVERY);
    return settled;
  };

  // An owner's message that Slack does not take now stays queued for the background sender; the digest itself went out.
  const deliverToOwner = async (item: OutboxItem) => {
    const settled = await deps.sender.deliver(item.id, { maxAttempts: item.attempts + slackAttempts });
    if (settled.state !== "sent")
      log.warn(
        { outboxId: item.id, state: settled.state, reason: settled.lastError },
        "an owner's stale-lead message was not delivered",
      );
    return settled;
  };

  const earlier = outbox.byKey(dayKey);
  if (earlier !== undefined && !force && !dryRun) {
    const said =
      earlier.state === "sent"
        ? "stale-lead digest already sent today; nothing to do (--force posts again)"
        : "today's stale-lead digest is already in the outbox; delivering it instead of querying Notion again";
    log.info({ outboxId: earlier.id, state: earlier.state, dayKey }, said);
    return { kind: "already-sent", item: await deliver(earlier) };
  }

  const schema = await assertCrmSchema(deps.notion, { contacts: deps.contactsDatabaseId });
  const found = await findStaleLeads(deps.notion, {
    ...workerTargets(schema).digest,
    readPropertyIds: propertyIdsOf(schema, "contacts", STALE_LEAD_PROPERTIES),
    cutoff: new Date(nowMs - deps.staleAfterDays * MS_PER_DAY),
    logger: log,
    skip: snoozedFilter(deps.snoozedAt?.(nowMs)),
  });
  if (found.count === 0) {
    log.info({ staleAfterDays: deps.staleAfterDays }, "no stale leads; no digest posted");
    return { kind: "nothing-stale" };
  }
  const options = {
    nowMs,
    timeZone: deps.timeZone,
    staleAfterDays: deps.staleAfterDays,
    ...(deps.buttons && { buttons: deps.buttons }),
  };
  const message = staleDigestMessage(found, options);
  if (dryRun) {
    log.info({ staleCount: found.count }, "dry run: digest built, nothing posted or recorded");
    return { kind: "dry-run", staleCount: found.count, message, alreadySentToday: earlier !== undefined };
  }

  // A forced digest counts as today's when it is the first; otherwise it gets a key of its own.
  const key = force && outbox.byKey(dayKey) !== undefined ? `${dayKey}:forced:${nowMs}` : dayKey;
  const { item, duplicate } = outbox.enqueue(message, key);
  if (duplicate) {
    log.info({ outboxId: item.id, dayKey }, "another run queued today's stale-lead digest first; not posting a second");
    return { kind: "already-sent", item: await deliver(item) };
  }
  log.info(
    {
      outboxId: item.id,
      staleCount: found.count,
      listed: found.stalest.length,
      complete: found.complete,
      forced: force,
    },
    "stale-lead digest queued for Slack",
  );
  // Each owner's own, after the channel's: they are queued behind it, and the outbox sends oldest first.
  const owned = deps.directMessages ? (found.byOwner ?? []) : [];
  const ownerItems = owned.map(
    (mine) =>
      outbox.enqueue(
        {
          ...staleDigestMessage({ ...mine, complete: found.complete }, { ...options, yours: true }),
          dm: { notionUserId: mine.owner.id },
        },
        `${key}:dm:${mine.owner.id}`,
      ).item,
  );
  const sent = await deliver(item);
  log.info({ outboxId: item.id, staleCount: found.count }, "stale-lead digest sent");
  const ownerMessages: OutboxItem[] = [];
  for (const ownerItem of ownerItems) ownerMessages.push(await deliverToOwner(ownerItem));
  return { kind: "sent", staleCount: found.count, item: sent, ...(ownerMessages.length > 0 && { ownerMessages }) };
}

function snoozedFilter(snoozed: ReadonlySet<string> | undefined): ((pageId: string) => boolean) | undefined {
  if (snoozed === undefined || snoozed.size === 0) return undefined;
  return (pageId) => snoozed.has(pageId.replaceAll("-", "").toLowerCase());
}
