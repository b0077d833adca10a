import type { QueuedLead } from "./lead.js";
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
 * the first delivery and written once. Spam is stored too (so a redelivery
 * finds it) but never handed to the worker.
 */
export async function acceptLead(
  { queue, worker, responseWaitMs = LEAD_RESPONSE_WAIT_MS }: AcceptLeadDependencies,
  lead: QueuedLead,
  idempotencyKey?: string,
  { spam = false }: { spam?: boolean } = {},
): Promise<LeadAnswer> {
  const { submission, duplicate } = queue.enqueue(lead, idempotencyKey, spam ? "spam" : "queued");
  if (!duplicate && submission.state === "queued") worker.notify();
  const settled = submission.state === "queued" ? await worker.waitFor(submission.id, responseWaitMs) : submission;
  return answerFor(settled ?? submission);
}

export function answerFor(submission: Submission): LeadAnswer {
  // Spam is answered like a lead that was written, so a bot cannot tell its
  // honeypot was seen and learn to avoid it. The id is the submission's
  // (a UUID, like a page id), so a redelivery gets the very same answer.
  if (submission.state === "spam") return { status: 200, body: { status: "created", id: submission.id } };
  if (submission.state === "done" && submission.contactPageId !== undefined) {
    return { status: 200, body: { status: submission.outcome ?? "updated", id: submission.contactPageId } };
  }
  return { status: 202, body: { status: "queued", id: submission.id } };
}
