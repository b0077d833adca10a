import type { QueuedLead } from "../../src/leads/lead.js";

/** A lead as the queue stores it, with the email alone: what tests of queues, alerts and jobs need. */
export function queuedLead(email: string): QueuedLead {
  return { email, name: undefined, company: undefined, message: undefined, utm_source: undefined };
}
