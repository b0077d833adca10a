import type { ConfigWith } from "../config/load-config.js";
import { formServiceRoute } from "../form-services/form-service-route.js";
import { FORM_SERVICES } from "../form-services/form-services.js";
import { createContactCache } from "../contacts/contact-cache.js";
import { createCreateClaims } from "../contacts/create-claims.js";
import { createCreateHold } from "../notion/create-hold.js";
import type { AreaDependencies, CrmArea } from "./crm-area.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { WakeableQueue } from "../queue/wake-on-recovery.js";
import { createSenderLimits } from "../spam/sender-limits.js";
import { createRefusedOrigins, type RefusedOrigins } from "../web-form/refused-origins.js";
import { wireWebForm } from "./wire-web-form.js";
import { suspicionsOf } from "../spam/suspicious-lead.js";

import { createLeadQueue, UNSIGNED_PRIORITY, type LeadQueue } from "../leads/lead-queue.js";
import { leadRoute } from "../leads/lead-route.js";
import type { CreatedContact } from "../leads/created-contact.js";
import { createLeadWorker, type LeadTargets } from "../leads/lead-worker.js";
import { submitLead } from "../leads/submit-lead.js";

export type LeadsArea = CrmArea<LeadTargets> & {
  /** Leads waiting for Notion, such as those a previous process left queued. */
  queuedCount(): number;
  /** The lead queue, for reading (operator alerts). */
  readonly queue: LeadQueue["jobs"];
  /** The form services whose /lead/<service> route is on. */
  readonly formServices: readonly string[];
  /** The lead queue as Notion's recovery wakes it. */
  readonly waiting: WakeableQueue;
  /** Retention: forgets finished submissions older than `olderThanMs`. */
  pruneFinished(olderThanMs: number): number;
  /** /form posts refused for their origin, per hour (operator alerts). */
  readonly refusedOrigins: Pick<RefusedOrigins, "lastHour">;
};

export type LeadsAreaOptions = {
  retryBaseMs?: number | undefined;
  responseWaitMs?: number | undefined;
  /** While Notion refuses creates, how often one held lead is tried. @default NOTION_HOLD_RETRY_SECONDS */
  holdRetryMs?: number | undefined;
  /** The gateway on the `form` lane, for batches of unsigned /form posts (see RequestLane). */
  formNotion?: NotionGateway | undefined;
  /** Each contact a lead created (the new-lead alert); not called for repeats or spam. */
  onContactCreated?: ((contact: CreatedContact) => void) | undefined;
};

type LeadsConfig = Pick<
  ConfigWith<"FORM_SECRET">,
  | "FORM_SECRET"
  | "FORM_SECRET_PREVIOUS"
  | "HONEYPOT_FIELD"
  | "FORM_FIELD_MAP"
  | "LEADS_PER_IP_PER_HOUR"
  | "LEADS_PER_EMAIL_PER_HOUR"
  | "NOTION_HOLD_RETRY_SECONDS"
  | "FORM_ALLOWED_ORIGINS"
  | "FORM_REDIRECT_URL"
  | "TURNSTILE_SECRET"
  | "TURNSTILE_VERIFY_URL"
  | (typeof FORM_SERVICES)[number]["secretSetting"]
>;

/**
 * Leads: /lead and /lead/<service> both hand their lead to submitLead,
 * which stores it in the queue the worker drains into Notion once it knows
 * where the contacts live. Form services get per-sender limits; /lead,
 * whose only sender is the site's own backend, does not.
 */
export function wireLeads(deps: AreaDependencies, config: LeadsConfig, options: LeadsAreaOptions = {}): LeadsArea {
  const { db, notion, logger, signal } = deps;
  const queue = createLeadQueue(db);
  const worker = createLeadWorker({
    queue,
    cache: createContactCache(db),
    claims: createCreateClaims(db),
    notion,
    formNotion: options.formNotion,
    db,
    logger,
    hold: createCreateHold(db, { retryMs: options.holdRetryMs ?? config.NOTION_HOLD_RETRY_SECONDS * 1000 }),
    signal,
    onContactCreated: options.onContactCreated,
    ...(options.retryBaseMs !== undefined && { retryBaseMs: options.retryBaseMs }),
  });
  const stored = {
    queue,
    worker,
    suspicionsOf,
    ...(options.responseWaitMs !== undefined && { responseWaitMs: options.responseWaitMs }),
  };
  const limits = createSenderLimits(db, {
    perIpPerHour: config.LEADS_PER_IP_PER_HOUR,
    perEmailPerHour: config.LEADS_PER_EMAIL_PER_HOUR,
  });
  let targets: LeadTargets | undefined;
  const refusedOrigins = createRefusedOrigins(db);
  const formSecrets = Object.fromEntries(FORM_SERVICES.map((service) => [service.name, config[service.secretSetting]]));

  return {
    routes: [
      leadRoute({
        submit: (submission) => submitLead(stored, submission),
        formSecrets: [config.FORM_SECRET, ...(config.FORM_SECRET_PREVIOUS ? [config.FORM_SECRET_PREVIOUS] : [])],
        honeypotField: config.HONEYPOT_FIELD,
      }),
      formServiceRoute({
        submit: (submission) => submitLead({ ...stored, limits }, submission),
        services: FORM_SERVICES,
        secrets: formSecrets,
        fieldMap: config.FORM_FIELD_MAP,
        honeypotField: config.HONEYPOT_FIELD,
      }),
      // POST /form answers as soon as the lead is stored: a person is not kept waiting for Notion.
      ...wireWebForm(config, {
        // Unsigned: a flood of /form posts waits behind signed leads, never ahead of them.
        submit: (submission) =>
          submitLead({ ...stored, limits, responseWaitMs: 0, priority: UNSIGNED_PRIORITY }, submission),
        findSubmission: (key) => queue.findByKey(key),
        sourceOptions: () => targets?.contacts.sourceOptions,
        onOriginRefused: (origin) => refusedOrigins.record(origin),
        logger,
      }),
    ],
    queuedCount: () => queue.jobs.count("queued"),
    queue: queue.jobs,
    refusedOrigins,
    pruneFinished: (olderThanMs) => queue.pruneFinished(olderThanMs),
    waiting: {
      name: "leads",
      resumeWaiting: () => queue.resumeWaiting(),
      hasRetryWaiting: () => queue.hasRetryWaiting(),
      notify: () => worker.notify(),
    },
    formServices: Object.keys(formSecrets).filter((name) => formSecrets[name] !== undefined),
    start(known) {
      targets = known;
      worker.start(known);
    },
    stop: () => worker.stop(),
  };
}
