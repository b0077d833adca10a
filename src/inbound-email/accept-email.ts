import type { Logger } from "../log/create-logger.js";
import { toNotionPrecision } from "../notion/property-values.js";
import type { Store } from "../store/open-store.js";
import { emailDirection } from "./email-direction.js";
import { gmailForwardingConfirmation, type ForwardingConfirmation } from "./gmail-forwarding-confirmation.js";
import { emailKey, type InboundEmailRoute, type ParsedEmail } from "./inbound-email.js";
import type { EmailResult, InboundEmailQueue, QueuedEmail } from "./inbound-email-queue.js";
import { snippetOf } from "./strip-quoted-reply.js";

/** How long a delivery waits for Notion before it is answered "queued"; the email is stored either way. */
export const EMAIL_RESPONSE_WAIT_MS = 2_000;

export type AcceptEmailDependencies = {
  db: Store;
  queue: InboundEmailQueue;
  worker: { notify(): void; waitFor(id: number, timeoutMs: number): Promise<QueuedEmail | undefined> };
  teamDomains: readonly string[];
  /** Posts a Gmail forwarding confirmation to the operator channel (durably queued). */
  confirmForwarding(confirmation: ForwardingConfirmation): void;
  logger: Logger;
  /** @default EMAIL_RESPONSE_WAIT_MS */
  responseWaitMs?: number | undefined;
  now?: () => number;
};

/** The 200's body: what became of the email, the addresses that are not contacts counted. */
export type EmailAnswer =
  | { status: "logged"; id: number; direction: "sent" | "received"; contacts: number; unknown: number }
  | { status: "queued"; id: number; direction: "sent" | "received"; addresses: number }
  | { status: "duplicate"; id: number }
  | { status: "ignored"; reason: string }
  | { status: "forwarding confirmation posted" };

/** Thrown inside the store transaction when the delivery turns out to be a replay (a Mailgun token seen before). */
export class ReplayedDeliveryError extends Error {
  readonly code = "replayed_delivery" as const;
  constructor() {
    super("this delivery was accepted before");
    this.name = "ReplayedDeliveryError";
  }
}

/**
 * One verified, parsed email, whatever route it came by: stored once per
 * Message-ID before it is answered (with `alsoStore`, a route's own record,
 * such as Mailgun's token, in the same transaction), then applied to Notion
 * by the email worker. Nothing but the contract's fields is kept.
 */
export async function acceptEmail(
  deps: AcceptEmailDependencies,
  email: ParsedEmail,
  via: InboundEmailRoute,
  alsoStore?: () => boolean,
): Promise<EmailAnswer> {
  const { db, queue, worker, logger, now = Date.now } = deps;
  const log = logger.child({ area: "inbound-email", via });
  const confirmation = gmailForwardingConfirmation(email);
  if (confirmation !== undefined) {
    storeWith(db, alsoStore, () => deps.confirmForwarding(confirmation));
    log.warn(
      { hasLink: confirmation.link !== undefined },
      "Gmail forwarding confirmation posted to the operator channel",
    );
    return { status: "forwarding confirmation posted" };
  }
  const direction = emailDirection(email, deps.teamDomains);
  const { item, isNew } = storeWith(db, alsoStore, () =>
    queue.store({
      key: emailKey(email),
      via,
      direction,
      from: email.from ?? "",
      subject: email.subject,
      dateMs: toNotionPrecision(email.date ?? new Date(now())).getTime(),
      messageId: email.messageId,
      snippet: snippetOf(email.replyText),
    }),
  );
  const fields = { emailId: item.id, direction: direction.direction, addresses: direction.addresses.length };
  if (!isNew) {
    log.info({ ...fields, key: item.key }, "email already stored (same Message-ID): not applied again");
    return { status: "duplicate", id: item.id };
  }
  if (direction.direction === "internal") {
    log.info(fields, "email among the team only: ignored");
    return { status: "ignored", reason: "mail among the team only" };
  }
  log.info(fields, "email stored");
  worker.notify();
  // Behind other queued emails, it will not be applied within the wait: answered at once.
  const backlog = queue.jobs.waiting().count > 1;
  const waitMs = backlog ? 0 : (deps.responseWaitMs ?? EMAIL_RESPONSE_WAIT_MS);
  const settled = waitMs > 0 ? await worker.waitFor(item.id, waitMs) : undefined;
  const kind = direction.direction;
  if (settled?.state === "done" && settled.result !== undefined) return logged(item.id, kind, settled.result);
  return { status: "queued", id: item.id, direction: kind, addresses: direction.addresses.length };
}

function logged(id: number, direction: "sent" | "received", result: EmailResult): EmailAnswer {
  return { status: "logged", id, direction, contacts: result.contacts, unknown: result.unknown };
}

function storeWith<T>(db: Store, alsoStore: (() => boolean) | undefined, store: () => T): T {
  return db.transaction(() => {
    if (alsoStore !== undefined && !alsoStore()) throw new ReplayedDeliveryError();
    return store();
  })();
}
