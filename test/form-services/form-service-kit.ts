import Database from "better-sqlite3";
import { join } from "node:path";
import request from "supertest";
import { STATE_FILE_NAME } from "../../src/store/open-store.js";
import type { CrmHarness } from "../support/crm-harness.js";
import { emailOf, relationOf } from "../support/notion-page.js";

export const SERVICE_SECRETS = {
  TYPEFORM_SECRET: "typeform-secret-for-tests",
  TALLY_SECRET: "tally-secret-for-tests",
  WEBFLOW_SECRET: "webflow-client-secret-for-tests",
  FORMSPREE_SECRET: "formspree-signing-secret-for-tests",
  FRAMER_SECRET: "framer-secret-for-tests-at-least-32-characters",
} as const;

/** Limits off, for suites that send the same person many times. */
export const NO_LIMITS = { LEADS_PER_IP_PER_HOUR: "0", LEADS_PER_EMAIL_PER_HOUR: "0" } as const;

export function postJson(h: CrmHarness, path: string, body: string, headers: Record<string, string> = {}) {
  return request(h.server.url).post(path).set("Content-Type", "application/json").set(headers).send(body);
}

export const contactsFor = (h: CrmHarness, email: string) => h.contacts().filter((page) => emailOf(page) === email);
export const activitiesFor = (h: CrmHarness, contactId: string) =>
  h.activities().filter((page) => relationOf(page, "Contact").includes(contactId));

/** Rows of the lead queue, read straight from the state file. */
export function queueRows(h: CrmHarness): Array<{ email: string; state: string; idempotency_key: string | null }> {
  const db = new Database(join(h.dataDir, STATE_FILE_NAME), { readonly: true });
  try {
    return db
      .prepare("SELECT email, state, idempotency_key FROM lead_submissions ORDER BY received_at_ms")
      .all() as Array<{ email: string; state: string; idempotency_key: string | null }>;
  } finally {
    db.close();
  }
}

/** A test case's name as an email's local part, so each case of a table writes (or not) its own lead. */
export const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
