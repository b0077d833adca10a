import type { Lead } from "./lead.js";
import type { LeadQueue, Submission } from "./lead-queue.js";
import type { LeadWorker } from "./lead-worker.js";

/** How long a sender waits for the Notion write before being told "queued". */
export const LEAD_RESPONSE_WAIT_MS = 4_000;

export type LeadAnswer =
  | { status: 200; body: { status: "created" | "updated"; id: string } }
  | { status: 202; body: { status: "queued"; id: string } };

export type AcceptLeadDependencies = { queue: LeadQueue; worker: LeadWorker; responseWaitMs?: number };

/**
 * The story of a lead: stored durably first (so a 2xx is a promise), handed
 * to the worker, and answered with the Notion page if it is written within a
 * few seconds. A redelivery with the same idempotency key is answered as
 * the first delivery and written once.
 */
export async function acceptLead({ queue, worker, responseWaitMs = LEAD_RESPONSE_WAIT_MS }: AcceptLeadDependencies, lead: Lead, idempotencyKey?: string): Promise<LeadAnswer> {
  const { submission, duplicate } = queue.enqueue(lead, idempotencyKey);
  if (!duplicate) worker.notify();
  const settled = submission.state === "queued" ? await worker.waitFor(submission.id, responseWaitMs) : submission;
  return answerFor(settled ?? submission);
}

export function answerFor(submission: Submission): LeadAnswer {
  if (submission.state === "done" && submission.contactPageId !== undefined) {
    return { status: 200, body: { status: submission.outcome ?? "updated", id: submission.contactPageId } };
  }
  return { status: 202, body: { status: "queued", id: submission.id } };
}
