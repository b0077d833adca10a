import type { Logger } from "../log/create-logger.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { DONE, dueAgainAtMs, retryOrBuryError, type BatchOutcome } from "../queue/batch-outcome.js";
import { createWorkLoop } from "../queue/create-work-loop.js";
import type { ContactCache } from "./contact-cache.js";
import type { LeadQueue, Outcome, Submission } from "./lead-queue.js";
import { recordActivity } from "./record-activity.js";
import { upsertContact, type ContactsTarget } from "./upsert-contact.js";

/** Emails worked on at once; the shared token bucket paces their requests anyway. */
export const LEAD_WORKER_CONCURRENCY = 4;
/** How often the queue is looked at without a nudge (leads revived by `npm run jobs`). */
export const LEAD_POLL_INTERVAL_MS = 2_000;
export const LEAD_RETRY_BASE_MS = 2_000;
/** A long Notion outage is retried every 5 minutes at most, for as long as it lasts. */
export const LEAD_RETRY_MAX_MS = 5 * 60_000;

/** Where leads go in Notion, known once the schema check has passed. */
export type LeadTargets = {
  contacts: ContactsTarget;
  activitiesDataSourceId?: string | undefined;
};

export type LeadWorkerOptions = {
  queue: LeadQueue;
  cache: ContactCache;
  notion: NotionGateway;
  logger: Logger;
  signal?: AbortSignal;
  concurrency?: number;
  pollIntervalMs?: number;
  retryBaseMs?: number;
  now?: () => number;
};

export type LeadWorker = {
  /** Starts working, beginning with whatever a previous process left queued. */
  start(targets: LeadTargets): void;
  /** Something was queued: look now rather than at the next poll. */
  notify(): void;
  /** Resolves with the submission once it has left the queue, or as it stands after `timeoutMs`. */
  waitFor(submissionId: string, timeoutMs: number): Promise<Submission | undefined>;
  /** Stops taking work and waits for the batches in flight. */
  stop(): Promise<void>;
};

/** One email's queued leads; `contactPageId` is known once the contact is saved. */
type LeadBatch = { submissions: Submission[]; ids: string[]; targets: LeadTargets; contactPageId?: string };

/**
 * Drains the lead queue into Notion. Leads of one email are worked on one
 * batch at a time, and every lead of that email queued by then goes in the
 * same batch: a burst of submissions from one person costs one upsert.
 */
export function createLeadWorker(options: LeadWorkerOptions): LeadWorker {
  const {
    queue,
    logger,
    signal,
    concurrency = LEAD_WORKER_CONCURRENCY,
    pollIntervalMs = LEAD_POLL_INTERVAL_MS,
    now = Date.now,
  } = options;
  const retry = { baseMs: options.retryBaseMs ?? LEAD_RETRY_BASE_MS, maxMs: LEAD_RETRY_MAX_MS };
  const log = logger.child({ area: "leads" });
  const waiters = new Map<string, Set<() => void>>();
  // Until started, leads are only stored: nothing is sent to Notion.
  let targets: LeadTargets | undefined;

  const loop = createWorkLoop<string, LeadBatch>({
    logger: log,
    concurrency,
    pollIntervalMs,
    signal,
    now,
    due: (limit) => queue.dueEmails(limit),
    take(email) {
      const submissions = queue.queuedFor(email);
      if (submissions.length === 0 || targets === undefined) return undefined;
      return { submissions, ids: submissions.map((submission) => submission.id), targets };
    },
    work: processBatch,
    record,
    nextDueAtMs: () => queue.nextDueAtMs(),
  });

  async function processBatch(leads: LeadBatch): Promise<BatchOutcome> {
    const { submissions: batch, targets: where } = leads;
    try {
      const contactPageId = await saveContact(batch, where.contacts);
      leads.contactPageId = contactPageId;
      if (where.activitiesDataSourceId !== undefined) {
        for (const submission of batch.filter((item) => item.activityPageId === undefined)) {
          const activityId = await recordActivity(
            options.notion,
            where.activitiesDataSourceId,
            submission,
            submission.contactPageId ?? contactPageId,
            {
              alreadyStarted: submission.activityStarted,
              onStart: () => queue.markActivityStarted(submission.id),
            },
          );
          queue.setActivity(submission.id, activityId);
        }
      }
      return DONE;
    } catch (error) {
      return retryOrBuryError(error, attemptOf(batch), retry);
    }
  }

  function record({ submissions: batch, ids, contactPageId }: LeadBatch, outcome: BatchOutcome): void {
    try {
      if (outcome.kind === "done") {
        queue.finish(ids);
        log.info({ submissionIds: ids, pageId: contactPageId }, "lead saved in Notion");
      } else if (outcome.kind === "dead") {
        queue.bury(ids, outcome.reason);
        log.error(
          { submissionIds: ids, err: outcome.cause ?? outcome.reason },
          "LEAD DEAD-LETTERED: Notion refused it; it is kept, see `npm run jobs` to inspect and retry",
        );
      } else {
        const atMs = dueAgainAtMs(outcome, now());
        queue.retryLater(ids, atMs, outcome.reason);
        log.warn(
          {
            submissionIds: ids,
            attempts: attemptOf(batch),
            retryInMs: atMs - now(),
            err: outcome.cause ?? outcome.reason,
          },
          "lead not saved yet; will retry",
        );
      }
    } finally {
      for (const id of ids) settle(id);
    }
  }

  function attemptOf(batch: readonly Submission[]): number {
    return Math.max(...batch.map((submission) => submission.attempts)) + 1;
  }

  async function saveContact(batch: readonly Submission[], contacts: ContactsTarget): Promise<string> {
    const pending = batch.filter((submission) => submission.contactPageId === undefined);
    if (pending.length === 0) return batch[0]!.contactPageId!;
    const at = new Date(Math.max(...pending.map((submission) => submission.receivedAtMs)));
    const result = await upsertContact(
      { ...options, contacts },
      pending.map((submission) => submission.lead),
      at,
    );
    const outcomes: Outcome[] = pending.map((_, index) => (index === 0 && result.created ? "created" : "updated"));
    queue.setContact(
      pending.map((submission) => submission.id),
      result.pageId,
      outcomes,
    );
    for (const [index, submission] of pending.entries()) {
      submission.contactPageId = result.pageId;
      submission.outcome = outcomes[index];
    }
    return result.pageId;
  }

  function settle(id: string): void {
    if (queue.get(id)?.state === "queued") return;
    for (const wake of waiters.get(id) ?? []) wake();
    waiters.delete(id);
  }

  return {
    start(where) {
      targets = where;
      loop.start();
    },
    notify: loop.notify,
    waitFor(submissionId, timeoutMs) {
      const current = queue.get(submissionId);
      if (current === undefined || current.state !== "queued") return Promise.resolve(current);
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timeout);
          waiters.get(submissionId)?.delete(wake);
          // On a timer: a failing store must not throw here. The sender is then told "queued", which it is.
          try {
            resolve(queue.get(submissionId));
          } catch (error) {
            log.error({ err: error, submissionId }, "could not read the lead back; answering queued");
            resolve(undefined);
          }
        };
        const timeout = setTimeout(wake, timeoutMs);
        waiters.set(submissionId, (waiters.get(submissionId) ?? new Set()).add(wake));
      });
    },
    async stop() {
      targets = undefined;
      await loop.stop();
    },
  };
}
