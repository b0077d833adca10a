import { alertOperator } from "../alerts/alert-operator.js";
import type { ConfigWith } from "../config/load-config.js";
import { createContactCache } from "../contacts/contact-cache.js";
import { createContactWriter, type ContactsTarget } from "../contacts/contact-writer.js";
import type { AreaDependencies, CrmArea } from "./crm-area.js";
import type { SlackArea } from "./wire-slack.js";
import type { WakeableQueue } from "../queue/wake-on-recovery.js";
import type { ForwardingConfirmation } from "../inbound-email/gmail-forwarding-confirmation.js";
import { createInboundEmailQueue, type InboundEmailQueue } from "../inbound-email/inbound-email-queue.js";
import { inboundEmailRoutes } from "../inbound-email/inbound-email-routes.js";
import { createMailgunTokenStore } from "../inbound-email/mailgun-token-store.js";
import { createEmailWorker, type FirstTouch } from "../inbound-email/email-worker.js";

/** Where logged emails go, known once the schema check has passed (the leads' targets have this shape). */
export type EmailAreaTargets = { contacts: ContactsTarget; activitiesDataSourceId?: string | undefined };

export type InboundEmailArea = CrmArea<EmailAreaTargets> & {
  /** Whether the /inbound-email/* routes exist (TEAM_EMAIL_DOMAINS is set). */
  readonly enabled: boolean;
  /** The email queue: read by jobs and alerts, pruned by the server's one pruner (RETENTION_DAYS). */
  readonly queue: InboundEmailQueue["jobs"];
  /** Emails waiting out a backoff, woken when Notion answers again. */
  readonly waiting: WakeableQueue;
};

type InboundEmailConfig = Pick<
  ConfigWith<never>,
  "TEAM_EMAIL_DOMAINS" | "INBOUND_EMAIL_SECRET" | "MAILGUN_SIGNING_KEY" | "STATUS_CONTACTED"
>;

export type InboundEmailAreaOptions = {
  slack: Pick<SlackArea, "outbox" | "notify">;
  /** Records a sent email as the lead's first touch (the report's speed to lead); unset: not recorded. */
  onFirstTouch?: ((touch: FirstTouch) => void) | undefined;
  retryBaseMs?: number | undefined;
  responseWaitMs?: number | undefined;
};

/**
 * Logging the team's emails: three routes (Postmark, Mailgun, a raw message
 * from the Cloudflare Email Worker) store each email once, and a worker
 * applies it to the contacts through the contact writer on the live lane.
 * Without TEAM_EMAIL_DOMAINS there are no routes (404) and nothing runs.
 */
export function wireInboundEmail(
  deps: AreaDependencies,
  config: InboundEmailConfig,
  options: InboundEmailAreaOptions,
): InboundEmailArea {
  const { db, notion, logger, signal } = deps;
  const queue = createInboundEmailQueue(db);
  const teamDomains = config.TEAM_EMAIL_DOMAINS;
  const worker = createEmailWorker({
    queue,
    notion,
    logger,
    statusContacted: config.STATUS_CONTACTED,
    onFirstTouch: options.onFirstTouch,
    signal,
    ...(options.retryBaseMs !== undefined && { retryBaseMs: options.retryBaseMs }),
  });
  if (teamDomains === undefined) {
    const idle = { name: "logged emails", resumeWaiting: () => 0, hasRetryWaiting: () => false, notify: () => {} };
    return {
      enabled: false,
      queue: queue.jobs,
      waiting: idle,
      routes: [],
      start: () => undefined,
      stop: async () => undefined,
    };
  }
  const confirmForwarding = (confirmation: ForwardingConfirmation) =>
    alertOperator(
      { outbox: options.slack.outbox, notify: options.slack.notify, logger },
      {
        title: "Gmail asks to confirm forwarding to the CRM's email address",
        problems: [
          `Gmail's mail "${confirmation.subject}" arrived at the CRM's address.`,
          confirmation.link === undefined
            ? "It carried no confirmation link: enter the code from its subject in Gmail → Settings → Forwarding and POP/IMAP."
            : "Open the link below and click Confirm (or enter the code from its subject in Gmail → Settings → Forwarding and POP/IMAP).",
        ],
        meanwhile:
          "Until it is confirmed, Gmail forwards nothing, and the replies its filter would forward are not logged.",
        ...(confirmation.link !== undefined && { link: { label: "Confirm forwarding", url: confirmation.link } }),
        level: "warn",
      },
    );
  return {
    enabled: true,
    queue: queue.jobs,
    waiting: {
      name: "logged emails",
      resumeWaiting: () => queue.jobs.resumeWaiting(),
      hasRetryWaiting: () => queue.jobs.hasRetryWaiting(),
      notify: () => worker.notify(),
    },
    routes: [
      inboundEmailRoutes({
        accept: {
          db,
          queue,
          worker,
          teamDomains,
          confirmForwarding,
          logger,
          responseWaitMs: options.responseWaitMs,
        },
        tokens: createMailgunTokenStore(db),
        secret: config.INBOUND_EMAIL_SECRET,
        mailgunSigningKey: config.MAILGUN_SIGNING_KEY,
      }),
    ],
    start(targets) {
      const writer = createContactWriter({ notion, cache: createContactCache(db), contacts: targets.contacts, signal });
      worker.start({ writer, activitiesDataSourceId: targets.activitiesDataSourceId });
    },
    stop: () => worker.stop(),
  };
}
