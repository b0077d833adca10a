import type { Logger } from "../log/create-logger.js";
import type { ContactCache } from "../contacts/contact-cache.js";
import type { ContactsTarget } from "../contacts/contact-writer.js";
import type { CreateClaims } from "../contacts/create-claims.js";
import { createCreateGuard, type GuardCreate } from "../contacts/create-guard.js";
import type { CreateHold } from "../notion/create-hold.js";
import { isCreatesHeldError } from "../notion/creates-held-error.js";
import { accessLostCause, CREATES_REFUSED_CAUSES, HOLD_CAUSES } from "../notion/is-create-refused.js";
import { isRetryableNotionError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { DONE, dueAgainAtMs, retryOrBuryError, type BatchOutcome } from "../queue/batch-outcome.js";
import { createWorkLoop } from "../queue/create-work-loop.js";
import type { LeadQueue, Outcome, Submission } from "./lead-queue.js";
import { recordActivity } from "./record-activity.js";
import { upsertContact } from "./upsert-contact.js";

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
  /** The cross-process claim on an email's create (shared with the import). */
  claims?: CreateClaims | undefined;
  notion: NotionGateway;
  logger: Logger;
  /** Notion refusing creates; unset, a refused create is dead-lettered like any refusal. */
  hold?: CreateHold | undefined;
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
 * One email's queued leads; `contactPageId` is known once the contact is
 * saved. A `probe` batch may create while Notion refuses creates: it is the
 * one try per hold interval.
 */
type LeadBatch = {
  submissions: Submission[];
  ids: string[];
  targets: LeadTargets;
  contactPageId?: string;
  probe: boolean;
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
  const retry = { baseMs: options.retryBaseMs ?? LEAD_RETRY_BASE_MS, maxMs: LEAD_RETRY_MAX_MS };
  const log = logger.child({ area: "leads" });
  const waiters = new Map<string, Set<() => void>>();
  const { hold } = options;
  // Until started, leads are only stored: nothing is sent to Notion.
  let targets: LeadTargets | undefined;
  // The email whose held leads are the probe this interval, between due() and take().
  let probeEmail: string | undefined;

  const loop = createWorkLoop<string, LeadBatch>({
    logger: log,
    concurrency,
    pollIntervalMs,
    signal,
    now,
    due(limit) {
      const emails = queue.dueEmails(limit);
      const probe = targets === undefined ? undefined : takeProbe();
      return probe === undefined ? emails : [probe, ...emails.filter((email) => email !== probe)];
    },
    take(email) {
      const submissions = queue.queuedFor(email);
      const probe = email === probeEmail;
      if (probe) probeEmail = undefined;
      if (submissions.length === 0 || targets === undefined) return undefined;
      return { submissions, ids: submissions.map((submission) => submission.id), targets, probe };
    },
    work: processBatch,
    record,
    nextDueAtMs() {
      const due = queue.nextDueAtMs();
      const probeAt = hold !== undefined && queue.heldCount() > 0 ? hold.state()?.nextProbeAtMs : undefined;
      return probeAt === undefined ? due : Math.min(due ?? Infinity, probeAt);
    },
  });

  /** The oldest held lead's email, once per hold interval (the claim is persisted, so restarts do not add tries). */
  function takeProbe(): string | undefined {
    if (hold === undefined || probeEmail !== undefined) return probeEmail;
    if (hold.state() === undefined) {
      // A batch held just as a probe lifted the hold (or another process lifted it): nothing holds them now.
      if (queue.heldCount() > 0) queue.releaseHeld();
      return undefined;
    }
    const email = queue.oldestHeldEmail();
    if (email === undefined || !hold.claimProbe()) return undefined;
    log.info({ email }, "Notion refuses creates: trying one held lead");
    probeEmail = email;
    return email;
  }

  // Creates go one at a time, so the first refusal holds every create after it: none is sent in vain.
  const createGuard =
    hold === undefined
      ? undefined
      : createCreateGuard(hold, {
          refused(error, state, started) {
            if (!started) return;
            log.error(
              { err: error, retryInMs: state.nextProbeAtMs - now() },
              `NOTION REFUSES CREATES (403 restricted_resource): new leads are held, not lost; one is tried every ${Math.round(hold.retryMs / 1000)} s. ${CREATES_REFUSED_CAUSES}`,
            );
          },
          lifted() {
            const released = queue.releaseHeld();
            log.info({ released }, "Notion accepts creates again: the held leads follow");
          },
        });

  /** Every create of a batch goes through here: none while Notion refuses creates, but the probe's. */
  function guardCreate(batch: LeadBatch): GuardCreate | undefined {
    return createGuard?.({ probe: batch.probe });
  }

  /** The probe went through while Notion refused the token or a database: access is back, the held leads follow. */
  function liftAccessHold(leads: LeadBatch): void {
    const state = hold?.state();
    if (!leads.probe || state === undefined || state.cause === "restricted") return;
    hold!.lifted();
    const released = queue.releaseHeld();
    log.info({ released }, "Notion lets the integration in again: the held leads follow");
  }

  async function processBatch(leads: LeadBatch): Promise<BatchOutcome> {
    const { submissions: batch, targets: where } = leads;
    try {
      const contactPageId = await saveContact(leads, where.contacts);
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
              guardCreate: guardCreate(leads),
            },
          );
          queue.setActivity(submission.id, activityId);
        }
      }
      liftAccessHold(leads);
      return DONE;
    } catch (error) {
      if (hold !== undefined && isCreatesHeldError(error)) {
        const untilMs = hold.state()?.nextProbeAtMs ?? now() + hold.retryMs;
        return { kind: "hold", untilMs, reason: error.message, ...(error.sent && { cause: error.cause }) };
      }
      const lost = hold === undefined ? undefined : accessLostCause(error);
      if (hold !== undefined && lost !== undefined) {
        // Every lead would meet the same refusal: held, one tried per interval, instead of dead-lettered one by one.
        const started = hold.state() === undefined;
        const reason = error instanceof Error ? error.message : String(error);
        const state = hold.refused(reason, lost);
        if (started)
          log.error(
            { err: error, retryInMs: state.nextProbeAtMs - now() },
            `NOTION REFUSES ACCESS: new leads are held, not lost; one is tried every ${Math.round(hold.retryMs / 1000)} s. ${HOLD_CAUSES[lost].title.replaceAll("*", "")} (${HOLD_CAUSES[lost].status}). ${HOLD_CAUSES[lost].fix}`,
          );
        return { kind: "hold", untilMs: state.nextProbeAtMs, reason, cause: error };
      }
      return retryOrBuryError(error, attemptOf(batch), retry, isRetryableNotionError);
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
      } else if (outcome.kind === "hold") {
        queue.hold(ids, outcome.reason);
        log.warn(
          { submissionIds: ids, nextProbeInMs: outcome.untilMs - now() },
          "lead held: Notion refuses creates; it is stored and arrives once Notion accepts creates again",
        );
      } else {
        const decidedAt = now();
        const atMs = dueAgainAtMs(outcome, decidedAt);
        queue.retryLater(ids, atMs, outcome.reason);
        log.warn(
          {
            submissionIds: ids,
            attempts: attemptOf(batch),
            retryInMs: atMs - decidedAt,
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

  async function saveContact(leads: LeadBatch, contacts: ContactsTarget): Promise<string> {
    const batch = leads.submissions;
    const pending = batch.filter((submission) => submission.contactPageId === undefined);
    if (pending.length === 0) return batch[0]!.contactPageId!;
    const at = new Date(Math.max(...pending.map((submission) => submission.receivedAtMs)));
    const result = await upsertContact(
      {
        notion: options.notion,
        cache: options.cache,
        claims: options.claims,
        contacts,
        signal,
        guardCreate: guardCreate(leads),
      },
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
    const current = queue.get(id);
    // A held lead is settled too: its sender is answered now, not after the wait.
    if (current?.state === "queued" && current.heldSinceMs === undefined) return;
    for (const wake of waiters.get(id) ?? []) wake();
    waiters.delete(id);
  }

  return {
    start(where) {
      targets = where;
      // The schema check that gave the targets passed with this token: a hold for a refused token or database is over.
      const state = hold?.state();
      if (state !== undefined && state.cause !== "restricted") {
        hold!.lifted();
        log.info({ released: queue.releaseHeld() }, "Notion lets the integration in again: the held leads follow");
      }
      loop.start();
    },
    notify: loop.notify,
    waitFor(submissionId, timeoutMs) {
      const current = queue.get(submissionId);
      if (current === undefined || current.state !== "queued" || current.heldSinceMs !== undefined)
        return Promise.resolve(current);
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
