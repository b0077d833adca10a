import { recordLeadArrival } from "../first-touch/first-touches.js";
import type { Logger } from "../log/create-logger.js";
import type { ContactCache } from "../contacts/contact-cache.js";
import type { CreateClaims } from "../contacts/create-claims.js";
import { createCreateGuard, type GuardCreate } from "../contacts/create-guard.js";
import type { CreateHold, HoldCause, HoldState } from "../notion/create-hold.js";
import { CreatesHeldError, isCreatesHeldError } from "../notion/creates-held-error.js";
import { accessLostCause, CREATES_REFUSED_CAUSES, HOLD_CAUSES } from "../notion/is-create-refused.js";
import { recordActivity, type ActivityRow } from "../contacts/record-activity.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { isConnectionBlocked, isRetryableNotionError } from "../notion/notion-errors.js";
import { DONE, dueAgainAtMs, retryOrBuryError, type BatchOutcome } from "../queue/batch-outcome.js";
import { createWorkLoop } from "../queue/create-work-loop.js";
import { createSettleWaiters } from "../queue/settle-waiters.js";
import type { Store } from "../store/open-store.js";
import type { CreatedContact } from "./created-contact.js";
import { UNSIGNED_PRIORITY, type LeadQueue, type Outcome, type Submission } from "./lead-queue.js";
import { activityProperties, activityRef, mergeLeads } from "./contact-properties.js";
import { notionPageUrl } from "./notion-page-url.js";
import { upsertContact } from "./upsert-contact.js";
import type { ContactsTarget, LeadTargets } from "../notion/worker-targets.js";

/**
 * Emails worked on at once. Notion takes a burst up to its per-minute budget,
 * so a burst of leads goes in parallel; the shared window keeps the total
 * within the budget anyway. 16 new leads make about 48 calls, well inside 180.
 */
export const LEAD_WORKER_CONCURRENCY = 16;
/**
 * Batches of unsigned /form posts alone leave this many of the worker's
 * places free, so a signed lead posted during a /form flood starts at once
 * (its requests then go on the live lane, ahead of the flood's).
 */
export const SIGNED_PLACES = 4;
/** How often the queue is looked at without a nudge (leads revived by `npm run jobs`). */
export const LEAD_POLL_INTERVAL_MS = 2_000;
export const LEAD_RETRY_BASE_MS = 2_000;
/** A long Notion outage is retried every 5 minutes at most, for as long as it lasts. */
export const LEAD_RETRY_MAX_MS = 5 * 60_000;

export type { LeadTargets };

/** A hold that stops every lead, not only creates. */
function isAccessHold(state: HoldState | undefined): state is HoldState {
  return state !== undefined && state.cause !== "creates_refused";
}

export type LeadWorkerOptions = {
  queue: LeadQueue;
  cache: ContactCache;
  /** The cross-process claim on an email's create (shared with the import). */
  claims?: CreateClaims | undefined;
  notion: NotionGateway;
  /**
   * The gateway for batches of unsigned /form posts alone: its `form` lane
   * leaves signed leads a reserve of Notion's budget, so a /form flood
   * cannot delay them. Unset: `notion`.
   */
  formNotion?: NotionGateway | undefined;
  logger: Logger;
  /** Where a created contact's arrival is recorded for speed to lead; unset: not recorded. */
  db?: Store | undefined;
  /** Notion refusing creates; unset, a refused create is dead-lettered like any refusal. */
  hold?: CreateHold | undefined;
  /**
   * Called once when a lead created a contact (not for a repeat), before the
   * outcome is stored: whatever it queues survives a crash that follows.
   */
  onContactCreated?: ((contact: CreatedContact) => void) | undefined;
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
  email: string;
  submissions: Submission[];
  ids: string[];
  targets: LeadTargets;
  contactPageId?: string;
  probe: boolean;
  /** Unsigned /form posts alone: they go on the form lane, in at most `concurrency - SIGNED_PLACES` places. */
  unsigned: boolean;
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
  // A held lead is settled too: its sender is answered now, not after the wait.
  const waiters = createSettleWaiters<string, Submission>({
    read: (id) => queue.get(id),
    isSettled: (lead) => lead.state !== "queued" || lead.heldSinceMs !== undefined,
    onReadError: (error, submissionId) =>
      log.error({ err: error, submissionId }, "could not read the lead back; answering queued"),
  });
  const { hold } = options;
  // Until started, leads are only stored: nothing is sent to Notion.
  let targets: LeadTargets | undefined;
  // The email whose held leads are the probe this interval, between due() and take().
  let probeEmail: string | undefined;
  // Emails whose batch in flight is unsigned /form posts alone: at most unsignedPlaces of them.
  const unsignedInFlight = new Set<string>();
  const unsignedPlaces = Math.max(1, concurrency - SIGNED_PLACES);

  const loop = createWorkLoop<string, LeadBatch>({
    logger: log,
    concurrency,
    pollIntervalMs,
    signal,
    now,
    due(limit) {
      const signed = queue.dueSignedEmails(limit);
      const room = unsignedPlaces - unsignedInFlight.size;
      const unsigned =
        room <= 0
          ? []
          : queue
              .dueEmails(limit)
              .filter((email) => !signed.includes(email) && !unsignedInFlight.has(email))
              .slice(0, room);
      const emails = [...signed, ...unsigned];
      const probe = targets === undefined ? undefined : takeProbe();
      return probe === undefined ? emails : [probe, ...emails.filter((email) => email !== probe)];
    },
    take(email) {
      const submissions = queue.queuedFor(email);
      const probe = email === probeEmail;
      if (probe) probeEmail = undefined;
      if (submissions.length === 0 || targets === undefined) return undefined;
      const unsigned = submissions.every((submission) => submission.priority === UNSIGNED_PRIORITY);
      if (unsigned) unsignedInFlight.add(email);
      return { email, submissions, ids: submissions.map((submission) => submission.id), targets, probe, unsigned };
    },
    async work(batch) {
      try {
        return await processBatch(batch);
      } finally {
        unsignedInFlight.delete(batch.email);
      }
    },
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

  /** Unsigned /form posts alone go through the form lane; a batch with a signed lead in it is live. */
  function notionFor(leads: LeadBatch): NotionGateway {
    return leads.unsigned && options.formNotion !== undefined ? options.formNotion : options.notion;
  }

  /** Every create of a batch goes through here: none while Notion refuses creates, but the probe's. */
  function guardCreate(batch: LeadBatch): GuardCreate | undefined {
    return createGuard?.({ probe: batch.probe });
  }

  /**
   * Notion lets nothing of this integration in: it blocked the connection
   * (429 public_api_request_blocked), refuses the token (401) or no longer
   * finds the configured database (404). Every lead is held, not only
   * creates, and one probe per interval asks again.
   */
  function accessLost(error: unknown, cause: Exclude<HoldCause, "creates_refused">): HoldState {
    const started = hold!.state()?.cause !== cause;
    const state = hold!.refused(error instanceof Error ? error.message : String(error), cause);
    if (started) {
      const { title, status, fix } = HOLD_CAUSES[cause];
      const headline = cause === "connection_blocked" ? "NOTION BLOCKED THIS CONNECTION" : "NOTION REFUSES ACCESS";
      log.error(
        { err: error, retryInMs: state.nextProbeAtMs - now() },
        `${headline}: new leads are held, not lost; one is tried every ${Math.round(hold!.retryMs / 1000)} s. ${title.replaceAll("*", "")} (${status}). ${fix}`,
      );
    }
    return state;
  }

  /** A batch got through while access was lost: access is back, and the held leads follow. */
  function accessRestored(): void {
    hold!.lifted();
    const released = queue.releaseHeld();
    log.info({ released }, "Notion lets this integration in again: the held leads follow");
  }

  async function processBatch(leads: LeadBatch): Promise<BatchOutcome> {
    const { submissions: batch, targets: where } = leads;
    try {
      // While Notion blocks the connection, only the probe sends anything.
      const heldNow = hold?.state();
      if (isAccessHold(heldNow) && !leads.probe) throw new CreatesHeldError(heldNow.sinceMs, false);
      const contactPageId = await saveContact(leads, where.contacts);
      leads.contactPageId = contactPageId;
      if (where.activitiesDataSourceId !== undefined) {
        for (const submission of batch.filter((item) => item.activityPageId === undefined)) {
          const pageId = submission.contactPageId ?? contactPageId;
          const at = new Date(submission.receivedAtMs);
          const activityId = await recordActivity(
            notionFor(leads),
            where.activitiesDataSourceId,
            leadActivity(submission, submission.contactPageId ?? contactPageId),
            {
              alreadyStarted: submission.activityStarted,
              onStart: () => queue.markActivityStarted(submission.id),
              guardCreate: guardCreate(leads),
            },
          );
          queue.setActivity(submission.id, activityId);
        }
      }
      // A batch that got through proves access is back (a probe of updates only lifts it too).
      if (isAccessHold(hold?.state())) accessRestored();
      return DONE;
    } catch (error) {
      const lost =
        hold === undefined ? undefined : isConnectionBlocked(error) ? "connection_blocked" : accessLostCause(error);
      if (lost !== undefined) {
        // Every lead would meet the same refusal: held, one tried per interval, instead of dead-lettered one by one.
        const untilMs = accessLost(error, lost).nextProbeAtMs;
        return { kind: "hold", untilMs, reason: error instanceof Error ? error.message : String(error), cause: error };
      }
      if (hold !== undefined && isCreatesHeldError(error)) {
        const untilMs = hold.state()?.nextProbeAtMs ?? now() + hold.retryMs;
        return { kind: "hold", untilMs, reason: error.message, ...(error.sent && { cause: error.cause }) };
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
          "lead held: Notion refuses creates or blocked the connection; it is stored and arrives once Notion accepts it again",
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
        notion: notionFor(leads),
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
    if (result.created && options.db)
      recordLeadArrival(options.db, { pageId: result.pageId, email: pending[0]!.email, at: now() });
    if (result.created && options.onContactCreated !== undefined) {
      const merged = mergeLeads(pending.map((submission) => submission.lead));
      options.onContactCreated({
        pageId: result.pageId,
        url: notionPageUrl(result.pageId),
        email: merged.email,
        name: merged.name,
        company: merged.company,
        source: merged.source,
        message: pending.find((submission) => submission.lead.message !== undefined)?.lead.message,
      });
    }
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

  const settle = (id: string) => waiters.settle(id);

  return {
    start(where) {
      targets = where;
      // The schema check that gave the targets passed with this token: a hold for a refused token or database is over.
      const state = hold?.state();
      if (state?.cause === "unauthorized" || state?.cause === "unshared") accessRestored();
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

/** A lead's Activities row; its title carries the submission's reference, so a retry finds it. */
function leadActivity(submission: Submission, contactPageId: string): ActivityRow {
  return {
    properties: activityProperties(submission.lead, submission.id, contactPageId, new Date(submission.receivedAtMs)),
    contactPageId,
    match: { titleContains: `(ref ${activityRef(submission.id)})` },
  };
}
