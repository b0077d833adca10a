import { addressParser, decodeWords } from "postal-mime";
import { normalizeAddresses, normalizeMessageId, parseEmailDate, type ParsedEmail } from "./inbound-email.js";
import { mailboxes, parseRawEmail } from "./parse-raw-email.js";
import { stripQuotedReply } from "./strip-quoted-reply.js";
import { UnreadableEmailError } from "./unreadable-email-error.js";

/** The fields of a Mailgun route post, by name; a field given twice keeps its first value. */
export type MailgunFields = ReadonlyMap<string, string>;

/**
 * A Mailgun route's post into the parsed-email shape
 * (https://documentation.mailgun.com/docs/mailgun/user-manual/receive-forward-store/receive-http):
 * with `body-mime` (a forward() to a URL ending in "mime"), the raw message
 * through postal-mime like the raw route; otherwise the parsed fields: `from`,
 * `subject`, `body-plain`, and `message-headers` (a JSON list of
 * [name, value]) for To, Cc, Date and Message-Id. Attachments and
 * `body-html` are never read.
 */
export async function parseMailgunEmail(fields: MailgunFields): Promise<ParsedEmail> {
  const mime = fields.get("body-mime");
  if (mime !== undefined) return parseRawEmail(Buffer.from(mime, "utf8"));
  const headers = headerList(fields.get("message-headers"));
  const header = (name: string) => headers.find(([key]) => key.toLowerCase() === name)?.[1] ?? fields.get(name);
  const fromHeader = fields.get("from") ?? header("from");
  const from = normalizeAddresses(listed(fromHeader))[0];
  if (from === undefined) throw new UnreadableEmailError("the post has no from field");
  const text = fields.get("body-plain");
  return {
    messageId: normalizeMessageId(header("message-id") ?? fields.get("Message-Id")),
    from,
    to: normalizeAddresses(listed(header("to") ?? fields.get("To"))),
    cc: normalizeAddresses(listed(header("cc") ?? fields.get("Cc"))),
    subject: decodeWords(fields.get("subject") ?? header("subject") ?? "").trim(),
    date: parseEmailDate(header("date") ?? fields.get("Date")),
    replyText: text === undefined ? undefined : stripQuotedReply(text),
    text,
  };
}

function headerList(json: string | undefined): Array<[string, string]> {
  if (json === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (entry): entry is [string, string] =>
        Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "string",
    );
  } catch {
    throw new UnreadableEmailError("message-headers is not a JSON list");
  }
}

function listed(value: string | undefined): string[] {
  return value === undefined ? [] : mailboxes(addressParser(value));
}
