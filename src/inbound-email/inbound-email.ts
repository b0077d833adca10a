import { createHash } from "node:crypto";
import { normalizeEmail } from "../contacts/normalize-email.js";

/** The three routes an email arrives by. */
export const INBOUND_EMAIL_ROUTES = ["postmark", "mailgun", "raw"] as const;
export type InboundEmailRoute = (typeof INBOUND_EMAIL_ROUTES)[number];

/**
 * One email as every route hands it on, whatever the provider sent. It lives
 * in memory only: what is stored is what `storedEmail` keeps of it.
 */
export type ParsedEmail = {
  /** Without the angle brackets; undefined when the message has none. */
  messageId: string | undefined;
  /** Normalised (trimmed, lower-cased) like every email here. */
  from: string | undefined;
  to: readonly string[];
  cc: readonly string[];
  /** Decoded (RFC 2047); "" when there is none. */
  subject: string;
  /** The Date header; undefined when absent or unreadable. */
  date: Date | undefined;
  /** The new text of the message: quoted replies and signatures removed. Never stored whole. */
  replyText: string | undefined;
  /** The whole plain text, for recognising a Gmail forwarding confirmation. Never stored, never logged. */
  text: string | undefined;
};

/** Addresses of one list, normalised, without blanks or repeats. */
export function normalizeAddresses(addresses: ReadonlyArray<string | undefined>): string[] {
  const normalised = addresses
    .filter((address): address is string => typeof address === "string")
    .map(normalizeEmail)
    .filter((address) => address.includes("@"));
  return [...new Set(normalised)];
}

/** A Message-ID as compared across routes: no angle brackets, no blanks, lower-cased. */
export function normalizeMessageId(raw: string | undefined): string | undefined {
  const id = raw?.trim().replace(/^<+/, "").replace(/>+$/, "").trim().toLowerCase();
  return id === undefined || id === "" ? undefined : id;
}

/**
 * The idempotency key: the Message-ID, so a provider's retry, a BCC and a
 * forward of one email (and the same email through two routes) are one; a
 * message without one is known by a hash of from, date and subject.
 */
export function emailKey(email: ParsedEmail): string {
  if (email.messageId !== undefined) return `mid:${email.messageId}`;
  const parts = [email.from ?? "", email.date?.toISOString() ?? "", email.subject];
  return `hash:${createHash("sha256").update(JSON.stringify(parts)).digest("hex")}`;
}

/** A Date header's value, or undefined when it does not read as a date. */
export function parseEmailDate(raw: string | undefined): Date | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
