import type { ContactCache } from "../contacts/contact-cache.js";
import { createContactWriter, type ContactWriter } from "../contacts/contact-writer.js";
import type { Logger } from "../log/create-logger.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { isRetryableNotionError } from "../notion/notion-errors.js";
import { DONE, dueAgainAtMs, retryOrBury, retryOrBuryError, type BatchOutcome } from "../queue/batch-outcome.js";
import { createWorkLoop } from "../queue/create-work-loop.js";
import { LEAD_ACTION_DONE } from "../slack/lead-buttons.js";
import type { ClickProgress, SlackClicks, StoredClick } from "../slack/slack-clicks.js";
import type { SlackTeam } from "../slack/slack-team.js";
import type { SlackWebApi } from "../slack/slack-web-api.js";
import type { LeadSnoozes } from "../store/lead-snoozes.js";
import {
  claimLead,
  markContacted,
  markNotAFit,
  recordContactedActivity,
  writeSnoozedUntil,
  type ClickTargets,
} from "./apply-click.js";
import type { ClickerLookupService } from "./clicker-notion-user.js";
import { clickedMessageBlocks, textOfBlocks } from "./clicked-message.js";
import { updateClickedMessage } from "./update-clicked-message.js";

export const CLICK_WORKER_CONCURRENCY = 2;
export const CLICK_RETRY_BASE_MS = 2_000;
export const CLICK_RETRY_MAX_MS = 5 * 60_000;
const CLICK_POLL_INTERVAL_MS = 5_000;
/**
 * A message younger than this showed the lead as a `new lead` recently
 * enough to trust: Contacted then writes Status without reading the page
 * first (one Notion call instead of two). An older message's lead is read.
 */
export const TRUST_MESSAGE_STATUS_MS = 60 * 60_000;
const MS_PER_DAY = 86_400_000;

/** A first touch (CONTRACT: the weekly report's speed to lead reads it). */
export type FirstTouch = { pageId: string; at: Date; via: "slack" };

export type ClickWorkerOptions = {
  clicks: SlackClicks;
  notion: NotionGateway;
  /** The contact cache the lead worker shares: the contact writer keeps it current. */
  contactCache: ContactCache;
  slack: { api: Pick<SlackWebApi, "post" | "get">; team: SlackTeam; fetch?: typeof globalThis.fetch };
  clickers: ClickerLookupService;
  snoozes: LeadSnoozes;
  settings: { statusContacted: string; statusNotAFit: string; snoozeDays: number };
  /**
   * Records a lead's first touch in the state file; the composition passes
   * the first-touch store's writer. True when it set a new lead's first touch.
   */
  onFirstTouch: (touch: FirstTouch) => boolean;
  logger: Logger;
  signal?: AbortSignal;
  retryBaseMs?: number;
  pollIntervalMs?: number;
  now?: () => number;
};

export type ClickWorker = { start(targets: ClickTargets): void; notify(): void; stop(): Promise<void> };

/**
 * Applies stored clicks to Notion, then changes the clicked message. Each
 * step is recorded as it is done, so a click retried after Notion or Slack
 * failed does only what is left; a click while Notion is down waits in the
 * queue and is applied once it is back.
 */
export function createClickWorker(options: ClickWorkerOptions): ClickWorker {
  const { clicks, notion, slack, settings, logger, now = Date.now } = options;
  const log = logger.child({ area: "slack-actions" });
  const retry = { baseMs: options.retryBaseMs ?? CLICK_RETRY_BASE_MS, maxMs: CLICK_RETRY_MAX_MS };
  let targets: ClickTargets | undefined;
  let writer: ContactWriter | undefined;

  const loop = createWorkLoop<number, StoredClick>({
    logger: log,
    concurrency: CLICK_WORKER_CONCURRENCY,
    pollIntervalMs: options.pollIntervalMs ?? CLICK_POLL_INTERVAL_MS,
    signal: options.signal,
    now,
    due: (limit) => (targets === undefined ? [] : clicks.due(limit).map((click) => click.id)),
    take: (id) => {
      const click = clicks.get(id);
      return click?.state === "queued" ? click : undefined;
    },
    work: (click) => apply(click, targets!, writer!),
    record,
    nextDueAtMs: () => (targets === undefined ? undefined : clicks.nextDueAtMs()),
  });

  async function apply(click: StoredClick, where: ClickTargets, contacts: ContactWriter): Promise<BatchOutcome> {
    const { payload } = click;
    const attempt = click.attempts + 1;
    try {
      const teamId = await slack.team.id();
      if (teamId === undefined)
        return retryOrBury({ retryable: true, reason: "auth.test did not answer" }, attempt, retry);
      if (teamId !== payload.teamId) {
        log.warn({ clickId: click.id, teamId: payload.teamId }, "Slack click ignored: it comes from another workspace");
        return DONE;
      }
      let progress = click.progress;
      const save = (next: ClickProgress) => {
        progress = { ...progress, ...next };
        clicks.saveProgress(click.id, progress);
      };
      if (!progress.applied) {
        const pending = await applyEffect(click, { where, contacts }, progress, save);
        if (pending !== undefined) return pending;
      }
      if (payload.blocks === undefined) return DONE;
      const blocks = clickedMessageBlocks(payload.blocks, {
        pageId: payload.pageId,
        action: payload.action,
        said: progress.outcome ?? `${LEAD_ACTION_DONE[payload.action]} <@${payload.userId}>`,
        keepButton: progress.outcome !== undefined && payload.action === "claim",
      });
      const updated = await updateClickedMessage(slack, payload, { text: textOfBlocks(blocks), blocks });
      if (updated.ok) return DONE;
      if (updated.permanent) {
        log.warn(
          { clickId: click.id, reason: updated.reason },
          "the clicked message could not be changed; the click is applied",
        );
        return DONE;
      }
      return retryOrBury({ retryable: true, reason: updated.reason }, attempt, retry);
    } catch (error) {
      return retryOrBuryError(error, attempt, retry, isRetryableNotionError);
    }
  }

  /** The click's effect on Notion (and the state file); undefined once applied, else the outcome to record. */
  async function applyEffect(
    click: StoredClick,
    { where, contacts }: { where: ClickTargets; contacts: ContactWriter },
    progress: ClickProgress,
    save: (next: ClickProgress) => void,
  ): Promise<BatchOutcome | undefined> {
    const { payload } = click;
    const at = new Date(payload.clickedAtMs);
    const who = payload.userName ?? payload.userId;
    // The lead's page was deleted or trashed in Notion since the message: nothing to change.
    const gone = () => {
      log.warn(
        { clickId: click.id, pageId: payload.pageId },
        "Slack click not applied: the lead is no longer in Notion",
      );
      save({ applied: true, outcome: "Not applied: this lead is no longer in Notion" });
      return undefined;
    };
    switch (payload.action) {
      case "contacted": {
        if (!progress.activityStarted) {
          const messageMs = Number(payload.messageTs) * 1000;
          const knownNewLead = Number.isFinite(messageMs) && now() - messageMs < TRUST_MESSAGE_STATUS_MS;
          const written = await markContacted(contacts, {
            pageId: payload.pageId,
            at,
            statusContacted: settings.statusContacted,
            knownNewLead,
          });
          if (written === undefined) return gone();
          const recorded = options.onFirstTouch({ pageId: payload.pageId, at, via: "slack" });
          log.info(
            { clickId: click.id, pageId: payload.pageId, at: at.toISOString(), recorded },
            recorded
              ? "first touch recorded (speed to lead)"
              : "first touch not recorded: not a new lead, or touched earlier",
          );
        }
        if (where.activitiesDataSourceId !== undefined) {
          await recordContactedActivity(notion, where.activitiesDataSourceId, {
            pageId: payload.pageId,
            at,
            who,
            ref: `slack-click-${click.id}`,
            alreadyStarted: progress.activityStarted === true,
            onStart: () => save({ activityStarted: true }),
          });
        }
        break;
      }
      case "not_a_fit":
        if (
          (await markNotAFit(contacts, { pageId: payload.pageId, statusNotAFit: settings.statusNotAFit })) === undefined
        )
          return gone();
        break;
      case "snooze": {
        const until = new Date(payload.clickedAtMs + settings.snoozeDays * MS_PER_DAY);
        options.snoozes.snooze(payload.pageId, until.getTime(), payload.userId, now());
        await writeSnoozedUntil(contacts, where, { pageId: payload.pageId, until });
        save({ applied: true, outcome: `Snoozed by <@${payload.userId}> until ${until.toISOString().slice(0, 10)}` });
        return undefined;
      }
      case "claim": {
        if (!where.ownerProperty) {
          save({ applied: true, outcome: `Not claimed: Contacts has no Owner (people) property` });
          return undefined;
        }
        const found = await options.clickers.notionUserOf(payload.userId);
        if (!found.settled) return retryOrBury({ retryable: true, reason: found.reason }, click.attempts + 1, retry);
        if (found.notionUserId === undefined) {
          log.warn(
            { clickId: click.id, why: found.why },
            "Claim not applied: the clicker has no Notion user this server can find",
          );
          save({
            applied: true,
            outcome: `Could not claim for <@${payload.userId}>: ${found.why ?? "no Notion user"}`,
          });
          return undefined;
        }
        if ((await claimLead(contacts, { pageId: payload.pageId, notionUserId: found.notionUserId })) === undefined)
          return gone();
        break;
      }
    }
    save({ applied: true });
    log.info({ clickId: click.id, action: payload.action, pageId: payload.pageId }, "Slack click applied in Notion");
    return undefined;
  }

  function record(click: StoredClick, outcome: BatchOutcome): void {
    if (outcome.kind === "done") {
      clicks.markDone([click.id]);
    } else if (outcome.kind === "dead") {
      clicks.bury([click.id], outcome.reason);
      log.error(
        { clickId: click.id, action: click.payload.action, err: outcome.cause ?? outcome.reason },
        "SLACK CLICK DEAD-LETTERED: Notion refused it; see `npm run jobs`",
      );
    } else {
      const atMs = dueAgainAtMs(outcome, now());
      clicks.retryLater([click.id], atMs, outcome.reason);
      log.warn(
        { clickId: click.id, retryInMs: atMs - now(), reason: outcome.reason },
        "Slack click not applied yet; will retry",
      );
    }
  }

  return {
    start(where) {
      writer = createContactWriter({
        notion,
        cache: options.contactCache,
        contacts: where.contacts,
        signal: options.signal,
      });
      targets = where;
      loop.start();
    },
    notify: loop.notify,
    async stop() {
      targets = undefined;
      await loop.stop();
    },
  };
}
