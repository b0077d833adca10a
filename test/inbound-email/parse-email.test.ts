import { describe, expect, it } from "vitest";
import { emailDirection } from "../../src/inbound-email/email-direction.js";
import { emailKey } from "../../src/inbound-email/inbound-email.js";
import { parseMailgunEmail } from "../../src/inbound-email/parse-mailgun-email.js";
import { parsePostmarkEmail } from "../../src/inbound-email/parse-postmark-email.js";
import { parseRawEmail } from "../../src/inbound-email/parse-raw-email.js";
import { snippetOf, SNIPPET_MAX_CHARS, stripQuotedReply } from "../../src/inbound-email/strip-quoted-reply.js";
import { isUnreadableEmailError } from "../../src/inbound-email/unreadable-email-error.js";
import { emailFixture } from "./email-fixtures.js";

const TEAM = ["acme.com"];

describe("parsing an email into one shape", () => {
  it("reads a multipart/alternative, quoted-printable message: RFC 2047 subject, addresses normalised, the quote and signature gone", async () => {
    const email = await parseRawEmail(emailFixture("sent-multipart-alternative-qp.eml"));
    expect(email).toMatchObject({
      messageId: "caf-sent-0001@mail.acme.com",
      from: "sam@acme.com",
      to: ["lena@example.org", "colleague@acme.com"],
      cc: ["stranger@unknown.example"],
      subject: "Re: Your café order — next steps",
    });
    expect(email.date?.toISOString()).toBe("2026-11-03T13:05:00.000Z");
    expect(email.replyText).toBe(
      "Hi Lena,\n\nThanks for the call. The café machines ship on Monday; I will send the invoice today.\n\nSam",
    );
    expect(emailDirection(email, TEAM)).toEqual({
      direction: "sent",
      addresses: ["lena@example.org", "stranger@unknown.example"],
    });
  });

  it("reads a base64 text part beside an attachment, drops the attachment, and cuts a quote header wrapped over two lines", async () => {
    const email = await parseRawEmail(emailFixture("received-base64-attachment.eml"));
    expect(email).toMatchObject({ from: "lena@example.org", to: ["sam@acme.com"], subject: "Re: Your café order" });
    expect(email.replyText).toBe("Hello Sam,\n\nYes, Monday works. Please also send the manual.\n\nBest,\nLena");
    expect(JSON.stringify(email)).not.toContain("PDF");
    expect(emailDirection(email, TEAM)).toEqual({ direction: "received", addresses: ["lena@example.org"] });
  });

  it("gives the same key to one email whichever route brought it: Postmark's Message-ID header, not its own MessageID", async () => {
    const raw = await parseRawEmail(emailFixture("received-base64-attachment.eml"));
    const postmark = parsePostmarkEmail(emailFixture("postmark-inbound.json"));
    expect(postmark).toMatchObject({
      from: "lena@example.org",
      to: ["sam@acme.com"],
      replyText: "Hello Sam,\n\nYes, Monday works.",
    });
    expect(emailKey(postmark)).toBe(emailKey(raw));
    expect(emailKey(raw)).toBe("mid:reply-0002@mail.example.org");
  });

  it("reads Mailgun's parsed fields (message-headers for To, Cc, Date and Message-Id)", async () => {
    const fields = new Map([
      ["from", "Lena Lead <LENA@example.org>"],
      ["subject", "Re: Your café order"],
      ["body-plain", "Sure.\n\n> earlier text\n"],
      [
        "message-headers",
        JSON.stringify([
          ["To", "Sam <sam@acme.com>"],
          ["Cc", "Other <other@example.net>"],
          ["Date", "Wed, 04 Nov 2026 08:30:00 +0000"],
          ["Message-Id", "<reply-0002@mail.example.org>"],
        ]),
      ],
    ]);
    const email = await parseMailgunEmail(fields);
    expect(email).toMatchObject({
      from: "lena@example.org",
      to: ["sam@acme.com"],
      cc: ["other@example.net"],
      replyText: "Sure.",
      messageId: "reply-0002@mail.example.org",
    });
    expect(email.date?.toISOString()).toBe("2026-11-04T08:30:00.000Z");
  });

  it("refuses what is not an email: no From, or nothing at all", async () => {
    for (const raw of ["", "Subject: hi\r\n\r\nno sender\r\n"]) {
      const error = await parseRawEmail(Buffer.from(raw)).catch((e: unknown) => e);
      expect(isUnreadableEmailError(error)).toBe(true);
    }
    expect(() => parsePostmarkEmail(Buffer.from("[1,2]"))).toThrow(/not a Postmark/);
  });

  it("knows mail among the team and is keyed by a hash of from, date and subject without a Message-ID", async () => {
    const email = await parseRawEmail(emailFixture("internal.eml"));
    expect(emailDirection(email, TEAM).direction).toBe("internal");
    const noId = { ...email, messageId: undefined };
    expect(emailKey(noId)).toMatch(/^hash:[0-9a-f]{64}$/);
    expect(emailKey({ ...noId, subject: "Other" })).not.toBe(emailKey(noId));
    // A subdomain of a team domain is the team.
    expect(emailDirection({ ...email, from: "ann@eu.acme.com", to: ["x@example.com"] }, TEAM).direction).toBe("sent");
  });
});

describe("the snippet", () => {
  it("leaves out > lines, 'On … wrote:' and everything after a '-- ' signature", () => {
    const text = "Thanks!\n> quoted\nMore words\n-- \nSam\nOn Mon, Ann wrote:\n> x";
    expect(stripQuotedReply(text)).toBe("Thanks!\nMore words");
    expect(stripQuotedReply("New text\n\n-----Original Message-----\nFrom: a")).toBe("New text");
  });

  it("is at most 280 characters, whitespace folded, cut at a word", () => {
    const long = "word ".repeat(200);
    const snippet = snippetOf(long)!;
    expect([...snippet].length).toBeLessThanOrEqual(SNIPPET_MAX_CHARS);
    expect(snippet.endsWith("word…")).toBe(true);
    expect(snippetOf("  a\n\n b  ")).toBe("a b");
    expect(snippetOf("   ")).toBeUndefined();
  });
});
