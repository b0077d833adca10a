import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CrmHarness } from "../support/crm-harness.js";
import { emailFixture } from "./email-fixtures.js";
import {
  INBOUND_EMAIL_SECRET,
  insertContact,
  mailgunSignature,
  postPostmark,
  postRaw,
  rawSignature,
  signedMailgunFields,
  startEmailHarness,
  storedEmails,
} from "./inbound-email-kit.js";

const RECEIVED = emailFixture("received-base64-attachment.eml");
const POSTMARK = emailFixture("postmark-inbound.json");
const TEN_MIB = 10 * 1024 * 1024;

/** A Mailgun route post of the parsed fields (documented field names), each test its own Message-Id. */
const mailgunEmail = (id: string) => ({
  sender: "lena@example.org",
  from: "Lena Lead <lena@example.org>",
  recipient: "log@crm.acme-mail.com",
  subject: "Re: Your café order",
  "body-plain": "Yes, Monday works.\n\nOn Tue, Sam wrote:\n> earlier",
  "stripped-text": "Yes, Monday works.",
  "message-headers": JSON.stringify([
    ["From", "Lena Lead <lena@example.org>"],
    ["To", "Sam <sam@acme.com>"],
    ["Date", "Wed, 04 Nov 2026 08:30:00 +0000"],
    ["Message-Id", `<${id}@mail.example.org>`],
  ]),
});

describe("inbound email: verified before anything is read or written", () => {
  let h: CrmHarness;
  beforeAll(async () => {
    h = await startEmailHarness();
    insertContact(h, { email: "lena@example.org" });
  });
  afterAll(() => h.stop());
  const rows = () => storedEmails(h).length;

  describe("Postmark (basic auth; refused: 403, which stops Postmark's retries)", () => {
    it("refuses a wrong password and no auth, and writes nothing", async () => {
      const before = rows();
      expect((await postPostmark(h, POSTMARK, "wrong")).status).toBe(403);
      expect((await postPostmark(h, POSTMARK, null)).status).toBe(403);
      expect(rows()).toBe(before);
      expect(h.log.lines().some((line) => line.msg.includes("not verified") && line.reason === "wrong password")).toBe(
        true,
      );
    });

    it("takes the right password with any user name", async () => {
      const response = await request(h.server.url)
        .post("/inbound-email/postmark")
        .auth("anyone-at-all", INBOUND_EMAIL_SECRET)
        .set("Content-Type", "application/json")
        .send(POSTMARK.toString("utf8").replace("reply-0002@", "pm-auth-1@"));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: "logged", direction: "received" });
    });

    it("answers 400 to a body that is not Postmark's JSON", async () => {
      expect((await postPostmark(h, "{not json")).status).toBe(400);
      expect((await postPostmark(h, JSON.stringify({ Subject: "no sender" }))).status).toBe(400);
    });
  });

  describe("Mailgun (HMAC of timestamp and token; a token seen before is refused)", () => {
    it("accepts a signed urlencoded post, then refuses the same token again (a replay)", async () => {
      const fields = signedMailgunFields(mailgunEmail("mg-1"));
      const first = await request(h.server.url).post("/inbound-email/mailgun").type("form").send(fields);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: "logged", direction: "received", contacts: 1 });
      const replay = await request(h.server.url).post("/inbound-email/mailgun").type("form").send(fields);
      expect(replay.status).toBe(401);
    });

    it("accepts multipart/form-data with an attachment, which it never reads", async () => {
      const fields = signedMailgunFields(mailgunEmail("mg-multipart"));
      const post = request(h.server.url).post("/inbound-email/mailgun");
      for (const [name, value] of Object.entries(fields)) post.field(name, value);
      const response = await post.attach("attachment-1", Buffer.from("%PDF-1.4 secret contract"), "contract.pdf");
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: "logged" });
    });

    it("refuses a wrong signature, a wrong key, an old timestamp, and missing fields; writes nothing", async () => {
      const before = rows();
      const good = signedMailgunFields(mailgunEmail("mg-bad"));
      const old = String(Math.floor(Date.now() / 1000) - 6 * 60);
      const cases = [
        { ...good, signature: "0".repeat(64) },
        signedMailgunFields(mailgunEmail("mg-bad"), { key: "another-key" }),
        { ...good, timestamp: old, signature: mailgunSignature(old, good.token!) },
        mailgunEmail("mg-bad"),
      ];
      for (const fields of cases) {
        expect((await request(h.server.url).post("/inbound-email/mailgun").type("form").send(fields)).status).toBe(401);
      }
      expect(rows()).toBe(before);
    });
  });

  describe("raw (X-CRM-Timestamp and X-CRM-Signature)", () => {
    it("refuses a wrong key, a changed body, an old or future timestamp, a missing header; writes nothing", async () => {
      const before = rows();
      const now = Math.floor(Date.now() / 1000);
      expect((await postRaw(h, RECEIVED, { secret: "not-the-secret" })).status).toBe(401);
      expect((await postRaw(h, RECEIVED, { signature: rawSignature(Buffer.from("other"), now) })).status).toBe(401);
      expect((await postRaw(h, RECEIVED, { timestamp: now - 301 })).status).toBe(401);
      expect((await postRaw(h, RECEIVED, { timestamp: now + 301 })).status).toBe(401);
      const unsigned = await request(h.server.url)
        .post("/inbound-email/raw")
        .set("Content-Type", "message/rfc822")
        .send(RECEIVED);
      expect(unsigned.status).toBe(401);
      expect(rows()).toBe(before);
    });

    it("answers 400 to a signed message that is not an email", async () => {
      const response = await postRaw(h, "just some words, no headers\r\n");
      expect(response.status).toBe(400);
    });

    it("answers 415 to another content type, before reading it", async () => {
      const response = await request(h.server.url)
        .post("/inbound-email/raw")
        .set("Content-Type", "text/html")
        .send("<p>");
      expect(response.status).toBe(415);
    });
  });

  describe("size", () => {
    it("takes a signed 9.9 MiB message and refuses one over 10 MiB with 413", async () => {
      const padding = (bytes: number) => `${"x".repeat(76)}\r\n`.repeat(Math.ceil(bytes / 78));
      const head = RECEIVED.toString("latin1").replace("reply-0002@", "big-1@");
      const big = Buffer.from(`${head}\r\n${padding(TEN_MIB - 200_000)}`, "latin1");
      expect(big.length).toBeLessThan(TEN_MIB);
      expect((await postRaw(h, big)).status).toBe(200);

      const tooBig = Buffer.concat([big, Buffer.alloc(TEN_MIB - big.length + 1, 0x41)]);
      expect((await postRaw(h, tooBig)).status).toBe(413);
      const json = Buffer.alloc(TEN_MIB + 1, 0x20);
      expect((await postPostmark(h, json)).status).toBe(413);
    });
  });
});
