import type { Logger } from "../log/create-logger.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { backoffDelayMs } from "../util/backoff.js";
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
  const retryBaseMs = options.retryBaseMs ?? LEAD_RETRY_BASE_MS;
  const log = logger.child({ area: "leads" });
  const inFlight = new Map<string, Promise<void>>();
  const waiters = new Map<string, Set<() => void>>();
  let timer: NodeJS.Timeout | undefined;
  // Until started, leads are only stored: nothing is sent to Notion.
  let targets: LeadTargets | undefined;

  function pump(): void {
    if (targets === undefined) return;
    clearTimeout(timer);
    const free = concurrency - inFlight.size;
    if (free > 0) {
      for (const email of queue
        .dueEmails(concurrency + inFlight.size)
        .filter((email) => !inFlight.has(email))
        .slice(0, free)) {
        const work = processEmail(email, targets)
          .catch((error: unknown) => log.error({ err: error }, "lead worker failed unexpectedly"))
          .finally(() => {
            inFlight.delete(email);
            pump();
          });
        inFlight.set(email, work);
      }
    }
    const nextDue = queue.nextDueAtMs();
    const waitMs = nextDue === undefined ? pollIntervalMs : Math.min(pollIntervalMs, Math.max(0, nextDue - now()));
    timer = setTimeout(pump, Math.max(waitMs, 5));
  }

  async function processEmail(email: string, { contacts, activitiesDataSourceId }: LeadTargets): Promise<void> {
    const batch = queue.queuedFor(email);
    if (batch.length === 0) return;
    const ids = batch.map((submission) => submission.id);
    try {
      const contactPageId = await saveContact(batch, contacts);
      if (activitiesDataSourceId !== undefined) {
        for (const submission of batch.filter((item) => item.activityPageId === undefined)) {
          const activityId = await recordActivity(
            options.notion,
            activitiesDataSourceId,
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
      queue.finish(ids);
      log.info({ submissionIds: ids, pageId: contactPageId }, "lead saved in Notion");
    } catch (error) {
      if (signal?.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      if (isNotionGatewayError(error) && error.retryable) {
        const attempts = Math.max(...batch.map((submission) => submission.attempts)) + 1;
        const delayMs = backoffDelayMs(attempts, retryBaseMs, LEAD_RETRY_MAX_MS);
        queue.retryLater(ids, now() + delayMs, message);
        log.warn(
          { submissionIds: ids, attempts, retryInMs: Math.round(delayMs), err: error },
          "lead not saved yet; will retry",
        );
      } else {
        queue.bury(ids, message);
        log.error(
          { submissionIds: ids, err: error },
          "LEAD DEAD-LETTERED: Notion refused it; it is kept, see `npm run jobs` to inspect and retry",
        );
      }
    } finally {
      for (const id of ids) settle(id);
    }
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
      pump();
    },
    notify: pump,
    waitFor(submissionId, timeoutMs) {
      const current = queue.get(submissionId);
      if (current === undefined || current.state !== "queued") return Promise.resolve(current);
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timeout);
          waiters.get(submissionId)?.delete(wake);
          resolve(queue.get(submissionId));
        };
        const timeout = setTimeout(wake, timeoutMs);
        waiters.set(submissionId, (waiters.get(submissionId) ?? new Set()).add(wake));
      });
    },
    async stop() {
      targets = undefined;
      clearTimeout(timer);
      await Promise.allSettled(inFlight.values());
    },
  };
}
