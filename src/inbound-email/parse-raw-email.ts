import PostalMime, { type Address } from "postal-mime";
import { normalizeAddresses, normalizeMessageId, parseEmailDate, type ParsedEmail } from "./inbound-email.js";
import { stripQuotedReply } from "./strip-quoted-reply.js";
import { UnreadableEmailError } from "./unreadable-email-error.js";

/**
 * postal-mime's limits, tighter than its defaults: an email to log has no
 * business nesting 256 parts deep. Passing one rejects the parse (400).
 */
export const RAW_EMAIL_LIMITS = {
  maxNestingDepth: 32,
  maxHeadersSize: 1024 * 1024,
  maxPartCount: 500,
  maxRfc822NestingDepth: 3,
  maxForwardedAddresses: 1000,
} as const;

/**
 * A raw RFC 822 message (the /inbound-email/raw body, a Mailgun
 * `body-mime`) parsed with postal-mime: it decodes quoted-printable, base64
 * and RFC 2047 headers, picks the text/plain of a multipart/alternative,
 * and bounds nesting, headers and parts. Attachments and HTML are read by
 * the parser and dropped here.
 */
export async function parseRawEmail(raw: Buffer): Promise<ParsedEmail> {
  if (raw.length === 0) throw new UnreadableEmailError("the message is empty");
  let parsed: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    parsed = await PostalMime.parse(raw, { ...RAW_EMAIL_LIMITS, attachmentEncoding: "arraybuffer" });
  } catch (error) {
    throw new UnreadableEmailError("the message could not be parsed as an email", { cause: error });
  }
  const headerNames = new Set(parsed.headers.map((header) => header.key));
  if (!headerNames.has("from")) throw new UnreadableEmailError("the message has no From header");
  const text = parsed.text;
  return {
    messageId: normalizeMessageId(parsed.messageId),
    from: normalizeAddresses(mailboxes(parsed.from === undefined ? [] : [parsed.from]))[0],
    to: normalizeAddresses(mailboxes(parsed.to ?? [])),
    cc: normalizeAddresses(mailboxes(parsed.cc ?? [])),
    subject: (parsed.subject ?? "").trim(),
    date: parseEmailDate(parsed.date),
    replyText: text === undefined ? undefined : stripQuotedReply(text),
    text,
  };
}

/** Every mailbox's address, groups opened up. */
export function mailboxes(addresses: readonly Address[]): string[] {
  return addresses.flatMap((address) =>
    address.group === undefined ? [address.address] : address.group.map((member) => member.address),
  );
}
