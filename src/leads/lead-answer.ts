import type { LeadOutcome } from "./submit-lead.js";

export type LeadAnswer = {
  status: 200 | 202 | 400 | 403 | 429;
  body: Record<string, unknown>;
  /** Sent as Retry-After when the sender is over its limit. */
  retryAfterSeconds?: number;
};

/** The JSON answer of /lead and /lead/<service> for each outcome. */
export function leadAnswer(outcome: LeadOutcome): LeadAnswer {
  switch (outcome.kind) {
    case "invalid":
      return { status: 400, body: { error: outcome.error, details: outcome.details } };
    case "limited":
      return {
        status: 429,
        retryAfterSeconds: outcome.retryAfterSeconds,
        body: {
          error: `too many submissions from this ${outcome.limitedBy === "ip" ? "address" : "email"}; try again later`,
          retryAfterSeconds: outcome.retryAfterSeconds,
        },
      };
    case "refused":
      return { status: 403, body: { error: outcome.reason } };
    // Spam is answered like a lead that was written, so a bot cannot tell its
    // honeypot was seen and learn to avoid it. The id is the submission's
    // (a UUID, like a page id), so a redelivery gets the very same answer.
    case "spam":
      return { status: 200, body: { status: "created", id: outcome.id } };
    case "created":
    case "updated":
      return { status: 200, body: { status: outcome.kind, id: outcome.id } };
    case "queued":
      return { status: 202, body: { status: "queued", id: outcome.id } };
  }
}
