import { decodeWords } from "postal-mime";
import { normalizeAddresses, normalizeMessageId, parseEmailDate, type ParsedEmail } from "./inbound-email.js";
import { stripQuotedReply } from "./strip-quoted-reply.js";
import { UnreadableEmailError } from "./unreadable-email-error.js";

/**
 * Postmark's inbound webhook JSON, the fields read here
 * (https://postmarkapp.com/developer/webhooks/inbound-webhook). HtmlBody and
 * Attachments are never read.
 */
type PostmarkAddress = { Email?: unknown; Name?: unknown };
type PostmarkInbound = {
  FromFull?: PostmarkAddress;
  From?: unknown;
  ToFull?: unknown;
  CcFull?: unknown;
  Subject?: unknown;
  Date?: unknown;
  MessageID?: unknown;
  TextBody?: unknown;
  StrippedTextReply?: unknown;
  Headers?: unknown;
};

/**
 * Postmark's JSON into the parsed-email shape. Postmark's `MessageID` is its
 * own id for the delivery; the email's Message-ID (which the raw and Mailgun
 * routes see) is in `Headers`, so that one is the key when present. The
 * snippet is Postmark's `StrippedTextReply` (its own quote removal), else the
 * text with the same rules as the other routes.
 */
export function parsePostmarkEmail(body: Buffer): ParsedEmail {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new UnreadableEmailError("the body is not JSON", { cause: error });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UnreadableEmailError("the body is not a Postmark inbound JSON object");
  }
  const inbound = json as PostmarkInbound;
  const from = normalizeAddresses([stringOf(inbound.FromFull?.Email) ?? stringOf(inbound.From)])[0];
  if (from === undefined) throw new UnreadableEmailError("FromFull.Email is missing");
  const headers = Array.isArray(inbound.Headers) ? (inbound.Headers as PostmarkAddress[]) : [];
  const header = (name: string) =>
    stringOf(
      (headers as Array<{ Name?: unknown; Value?: unknown }>).find(
        (entry) => typeof entry?.Name === "string" && entry.Name.toLowerCase() === name,
      )?.Value,
    );
  const text = stringOf(inbound.TextBody);
  const stripped = stringOf(inbound.StrippedTextReply);
  const subject = stringOf(inbound.Subject) ?? "";
  return {
    messageId: normalizeMessageId(header("message-id") ?? stringOf(inbound.MessageID)),
    from,
    to: addressesOf(inbound.ToFull),
    cc: addressesOf(inbound.CcFull),
    // Postmark decodes the subject; an encoded word left in it is decoded here.
    subject: decodeWords(subject).trim(),
    date: parseEmailDate(stringOf(inbound.Date)),
    replyText: stripped !== undefined && stripped.trim() !== "" ? stripped.trim() : text && stripQuotedReply(text),
    text,
  };
}

function addressesOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return normalizeAddresses(list.map((entry: PostmarkAddress | null) => stringOf(entry?.Email)));
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
