import type { ContactPatch } from "../contacts/contact-properties.js";
import type { ContactWriter } from "../contacts/contact-writer.js";
import { recordActivity } from "../contacts/record-activity.js";
import { NEW_LEAD_STATUS } from "../crm-schema/crm-schema.js";
import type { Logger } from "../log/create-logger.js";
import { isCreateRefused } from "../notion/is-create-refused.js";
import { isRetryableNotionError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { DONE, dueAgainAtMs, retryOrBuryError, type BatchOutcome } from "../queue/batch-outcome.js";
import { createWorkLoop } from "../queue/create-work-loop.js";
import { createSettleWaiters } from "../queue/settle-waiters.js";
import { emailActivity } from "./email-activity.js";
import type { AddressProgress, EmailResult, InboundEmailQueue, QueuedEmail } from "./inbound-email-queue.js";

/** How often the queue is looked at without a nudge (emails revived by `npm run jobs`). */
export const EMAIL_POLL_INTERVAL_MS = 2_000;
export const EMAIL_RETRY_BASE_MS = 2_000;
/** A long Notion outage is retried every 5 minutes at most, for as long as it lasts. */
export const EMAIL_RETRY_MAX_MS = 5 * 60_000;

/** A sent email to a contact, for the report's speed to lead (the first-touch store keeps the first). */
export type FirstTouch = { pageId: string; email: string; at: Date; via: "email" };

/** Where logged emails go in Notion, known once the schema check has passed. */
export type EmailTargets = {
  writer: ContactWriter;
  activitiesDataSourceId?: string | undefined;
};

export type EmailWorkerOptions = {
  queue: InboundEmailQueue;
  notion: NotionGateway;
  logger: Logger;
  /** The Status a `new lead` gets when the team writes to it (STATUS_CONTACTED). */
  statusContacted: string;
  /** Records a sent email as a first touch (the report's speed to lead); composition passes the store's. */
  onFirstTouch?: ((touch: FirstTouch) => void) | undefined;
  signal?: AbortSignal | undefined;
  pollIntervalMs?: number;
  retryBaseMs?: number;
  now?: () => number;
};

export type EmailWorker = {
  start(targets: EmailTargets): void;
  notify(): void;
  /** Resolves with the email once it has left the queue, or as it stands after `timeoutMs`. */
  waitFor(id: number, timeoutMs: number): Promise<QueuedEmail | undefined>;
  stop(): Promise<void>;
};

/**
 * Applies stored emails to Notion, one at a time (the contact writer wants
 * writes to one email serialised, and the shared limiter paces them anyway):
 * for each address, the contact's Last Contacted (if later), for sent mail
 * its `new lead` Status, and an Activities row. What each address got is
 * saved as it goes, so a retry after an outage repeats nothing.
 */
export function createEmailWorker(options: EmailWorkerOptions): EmailWorker {
  const { queue, notion, signal, now = Date.now } = options;
  const log = options.logger.child({ area: "inbound-email" });
  const retry = { baseMs: options.retryBaseMs ?? EMAIL_RETRY_BASE_MS, maxMs: EMAIL_RETRY_MAX_MS };
  const waiters = createSettleWaiters<number, QueuedEmail>({
    read: (id) => queue.jobs.get(id),
    isSettled: (email) => email.state !== "queued",
  });
  let targets: EmailTargets | undefined;

  const loop = createWorkLoop<number, { email: QueuedEmail; targets: EmailTargets }>({
    logger: log,
    pollIntervalMs: options.pollIntervalMs ?? EMAIL_POLL_INTERVAL_MS,
    signal,
    now,
    due: (limit) => queue.jobs.due(limit).map((email) => email.id),
    take(id) {
      const email = queue.jobs.get(id);
      return email?.state === "queued" && targets !== undefined ? { email, targets } : undefined;
    },
    work: ({ email, targets: where }) => apply(email, where),
    record({ email }, outcome) {
      try {
        record(email, outcome);
      } finally {
        settle(email.id);
      }
    },
    nextDueAtMs: () => queue.jobs.nextDueAtMs(),
  });

  async function apply(email: QueuedEmail, where: EmailTargets): Promise<BatchOutcome> {
    const progress = email.progress;
    const save = () => queue.saveProgress(email.id, progress);
    const at = new Date(email.dateMs);
    try {
      for (const address of email.addresses) {
        let done: AddressProgress | undefined = progress[address];
        if (done === undefined) {
          const written = await where.writer.updateContact({ email: address }, patchFor(email));
          done = { pageId: written?.pageId ?? null };
          progress[address] = done;
          save();
        }
        const pageId = done.pageId;
        if (pageId === null) continue;
        if (where.activitiesDataSourceId !== undefined && done.activityId === undefined) {
          const entry = done;
          entry.activityId = await recordActivity(notion, where.activitiesDataSourceId, emailActivity(email, pageId), {
            alreadyStarted: entry.activityStarted === true,
            onStart: () => {
              entry.activityStarted = true;
              save();
            },
          });
          save();
        }
        if (email.direction === "sent" && options.onFirstTouch !== undefined && done.firstTouchRecorded !== true) {
          options.onFirstTouch({ pageId, email: address, at, via: "email" });
          done.firstTouchRecorded = true;
          save();
        }
      }
      return DONE;
    } catch (error) {
      // Refused creates (Notion's block limit) pass with time; the email waits for them like a lead.
      return retryOrBuryError(error, email.attempts + 1, retry, (e) => isRetryableNotionError(e) || isCreateRefused(e));
    }
  }

  function patchFor(email: QueuedEmail): ContactPatch {
    return {
      lastContacted: { at: new Date(email.dateMs), when: "later" },
      ...(email.direction === "sent" && { status: { to: options.statusContacted, from: [NEW_LEAD_STATUS] } }),
    };
  }

  function record(email: QueuedEmail, outcome: BatchOutcome): void {
    if (outcome.kind === "done") {
      const result = resultOf(queue.jobs.get(email.id) ?? email);
      queue.finish(email.id, result);
      const fields = { emailId: email.id, direction: email.direction, ...result };
      if (result.unknown > 0) log.info(fields, "email logged; addresses that are not contacts were left alone");
      else log.info(fields, "email logged");
    } else if (outcome.kind === "dead") {
      queue.jobs.bury([email.id], outcome.reason);
      log.error(
        { emailId: email.id, err: outcome.cause ?? outcome.reason },
        "EMAIL DEAD-LETTERED: Notion refused it; it is kept, see `npm run jobs` to inspect and retry",
      );
    } else {
      const decidedAt = now();
      const atMs = dueAgainAtMs(outcome, decidedAt);
      queue.jobs.retryLater([email.id], atMs, outcome.reason);
      log.warn(
        {
          emailId: email.id,
          attempts: email.attempts + 1,
          retryInMs: atMs - decidedAt,
          err: outcome.cause ?? outcome.reason,
        },
        "email not logged in Notion yet; will retry",
      );
    }
  }

  const settle = (id: number) => waiters.settle(id);

  return {
    start(where) {
      targets = where;
      loop.start();
    },
    notify: loop.notify,
    waitFor: waiters.waitFor,
    async stop() {
      targets = undefined;
      await loop.stop();
    },
  };
}

function resultOf(email: QueuedEmail): EmailResult {
  const pages = email.addresses.map((address) => email.progress[address]?.pageId);
  return {
    contacts: pages.filter((id) => typeof id === "string").length,
    unknown: pages.filter((id) => id === null).length,
  };
}
