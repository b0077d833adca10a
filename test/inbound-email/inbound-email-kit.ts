import { createHmac } from "node:crypto";
import Database from "better-sqlite3";
import { join } from "node:path";
import request from "supertest";
import { startCrmHarness, type CrmHarness } from "../support/crm-harness.js";

export const INBOUND_EMAIL_SECRET = "inbound-email-secret-for-tests";
export const MAILGUN_SIGNING_KEY = "key-mailgun-signing-for-tests";
export const TEAM_EMAIL_DOMAINS = "acme.com";

export const EMAIL_ENV = { TEAM_EMAIL_DOMAINS, INBOUND_EMAIL_SECRET, MAILGUN_SIGNING_KEY };

/** The server on the emulator, with emails logged for acme.com. */
export function startEmailHarness(env: Record<string, string> = {}, overrides = {}): Promise<CrmHarness> {
  return startCrmHarness({
    env: { ...EMAIL_ENV, ...env },
    overrides: { emailResponseWaitMs: 5_000, ...overrides },
  });
}

/** A contact already in Notion, as a person or the lead form left it. */
export function insertContact(
  h: CrmHarness,
  { email, status = "new lead", lastContacted }: { email: string; status?: string; lastContacted?: string },
) {
  return h.crm.emulator.admin.insertPage(h.crm.dataSources.contacts, {
    Name: { title: [{ text: { content: email.split("@")[0]! } }] },
    Email: { email },
    Status: { select: { name: status } },
    ...(lastContacted !== undefined && { "Last Contacted": { date: { start: lastContacted } } }),
  });
}

/** Signs a raw message as the Cloudflare Worker does, computed here independently of the server's code. */
export function rawSignature(body: Buffer | string, timestamp: number, secret = INBOUND_EMAIL_SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;
}

export function postRaw(
  h: CrmHarness,
  body: Buffer | string,
  {
    timestamp = Math.floor(Date.now() / 1000),
    secret = INBOUND_EMAIL_SECRET,
    signature,
  }: { timestamp?: number; secret?: string; signature?: string } = {},
) {
  return request(h.server.url)
    .post("/inbound-email/raw")
    .set("Content-Type", "message/rfc822")
    .set("X-CRM-Timestamp", String(timestamp))
    .set("X-CRM-Signature", signature ?? rawSignature(body, timestamp, secret))
    .send(Buffer.isBuffer(body) ? body : Buffer.from(body));
}

export function postPostmark(h: CrmHarness, body: Buffer | string, password: string | null = INBOUND_EMAIL_SECRET) {
  const req = request(h.server.url).post("/inbound-email/postmark").set("Content-Type", "application/json");
  if (password !== null) req.auth("postmark", password);
  return req.send(Buffer.isBuffer(body) ? body.toString("utf8") : body);
}

/** Mailgun's signature: hex HMAC-SHA256 of timestamp followed by token (its "Securing Webhooks" page). */
export function mailgunSignature(timestamp: string, token: string, key = MAILGUN_SIGNING_KEY): string {
  return createHmac("sha256", key)
    .update(timestamp + token)
    .digest("hex");
}

export function signedMailgunFields(
  fields: Record<string, string>,
  {
    token = `tok${Math.random().toString(36).slice(2)}`.padEnd(50, "x"),
    timestamp = String(Math.floor(Date.now() / 1000)),
    key = MAILGUN_SIGNING_KEY,
  } = {},
): Record<string, string> {
  return { ...fields, timestamp, token, signature: mailgunSignature(timestamp, token, key) };
}

/** The stored emails, read straight from the state file. */
export function storedEmails(h: CrmHarness): Array<Record<string, unknown>> {
  const db = new Database(join(h.dataDir, "crm.sqlite"), { readonly: true });
  try {
    return db.prepare("SELECT * FROM inbound_emails ORDER BY id").all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

export const props = (page: { properties: Record<string, unknown> }) => page.properties as Record<string, any>;
