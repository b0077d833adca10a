import { acceptLead, answerFor, type AcceptLeadDependencies, type LeadAnswer } from "../leads/accept-lead.js";
import type { QueuedLead } from "../leads/lead.js";
import type { Logger } from "../log/create-logger.js";
import type { SenderLimits } from "./sender-limits.js";
import { suspicionsOf } from "./suspicious-lead.js";

export type LimitedAnswer = {
  status: 429;
  retryAfterSeconds: number;
  body: { error: string; retryAfterSeconds: number };
};
export type ScreenedAnswer = LeadAnswer | LimitedAnswer;

export type Screening = {
  /** Per-sender hourly limits; none for /lead, whose only sender is the site's own backend. */
  limits?: SenderLimits | undefined;
  ip?: string | undefined;
  honeypotFilled: boolean;
  log: Logger;
};

/**
 * The spam checks in front of acceptLead, in the order that keeps each
 * promise: a redelivery is answered like the first and is not counted; a
 * sender over its hourly limit is refused before anything is stored; a
 * filled honeypot is stored as spam and answered like success; a lead that
 * only looks suspicious is flagged and goes to Notion all the same.
 */
export async function acceptScreenedLead(
  deps: AcceptLeadDependencies,
  lead: QueuedLead,
  key: string | undefined,
  screening: Screening & { limits?: undefined },
): Promise<LeadAnswer>;
export async function acceptScreenedLead(
  deps: AcceptLeadDependencies,
  lead: QueuedLead,
  key: string | undefined,
  screening: Screening,
): Promise<ScreenedAnswer>;
export async function acceptScreenedLead(
  deps: AcceptLeadDependencies,
  lead: QueuedLead,
  idempotencyKey: string | undefined,
  screening: Screening,
): Promise<ScreenedAnswer> {
  const { limits, ip, honeypotFilled, log } = screening;
  const earlier = idempotencyKey === undefined ? undefined : deps.queue.findByKey(idempotencyKey);
  if (earlier !== undefined) {
    log.info({ submissionId: earlier.id }, "lead redelivered: answered like the first delivery");
    return answerFor(earlier);
  }

  const check = limits?.take({ ip, email: lead.email }) ?? { ok: true };
  if (!check.ok) {
    log.warn(
      { limitedBy: check.limitedBy, retryAfterSeconds: check.retryAfterSeconds },
      "lead refused: sender over its hourly limit",
    );
    return {
      status: 429,
      retryAfterSeconds: check.retryAfterSeconds,
      body: {
        error: `too many submissions from this ${check.limitedBy === "ip" ? "address" : "email"}; try again later`,
        retryAfterSeconds: check.retryAfterSeconds,
      },
    };
  }

  if (honeypotFilled) {
    const answer = await acceptLead(deps, lead, idempotencyKey, { spam: true });
    log.warn({ submissionId: answer.body.id }, "lead stored as spam: honeypot field filled; it is not sent to Notion");
    return answer;
  }

  const flags = suspicionsOf(lead);
  if (flags.length > 0)
    log.warn({ flags }, "lead flagged as possible spam; it goes to Notion with a warning on its activity");
  return acceptLead(deps, flags.length > 0 ? { ...lead, context: { ...lead.context, flags } } : lead, idempotencyKey);
}
