import { readFileSync } from "node:fs";
import { join } from "node:path";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, type CrmHarness } from "../support/crm-harness.js";
import { relationOf, selectOf, textOf } from "../support/notion-page.js";
import { startSlackReceiver } from "../support/slack-receiver.js";
import { emailFixture } from "./email-fixtures.js";
import {
  insertContact,
  postPostmark,
  postRaw,
  props,
  signedMailgunFields,
  startEmailHarness,
  storedEmails,
} from "./inbound-email-kit.js";

const SENT = emailFixture("sent-multipart-alternative-qp.eml");
const RECEIVED = emailFixture("received-base64-attachment.eml");
const POSTMARK = emailFixture("postmark-inbound.json");

describe("logging the team's emails", () => {
  let h: CrmHarness | undefined;
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    for (const stop of stops.splice(0)) await stop();
  });

  it("a BCC'd email the team sent: the lead becomes contacted, Last Contacted is the email's date, one Email sent row; strangers are counted, not created", async () => {
    h = await startEmailHarness();
    const lena = insertContact(h, { email: "lena@example.org", lastContacted: "2026-10-01" });
    const response = await postRaw(h, SENT);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: "logged", direction: "sent", contacts: 1, unknown: 1 });

    const contacts = h.contacts();
    expect(contacts).toHaveLength(1);
    const page = contacts[0]!;
    expect(selectOf(page, "Status")).toBe("contacted");
    expect(props(page)["Last Contacted"].date.start).toMatch(/^2026-11-03T13:05/);
    const [activity, ...more] = h.activities();
    expect(more).toEqual([]);
    expect(textOf(activity!, "Name")).toBe("Re: Your café order — next steps");
    expect(selectOf(activity!, "Type")).toBe("Email sent");
    expect(relationOf(activity!, "Contact")).toEqual([lena.id]);
    expect(textOf(activity!, "Notes")).toBe(
      "Hi Lena, Thanks for the call. The café machines ship on Monday; I will send the invoice today. Sam",
    );
    expect(props(activity!).Date.date.start).toMatch(/^2026-11-03T13:05/);
    expect(h.log.lines().some((line) => line.msg.startsWith("email logged") && line.unknown === 1)).toBe(true);
  });

  it("a reply received from a contact: Last Contacted moves only forward, Status is not changed, one Email received row", async () => {
    h = await startEmailHarness();
    insertContact(h, { email: "lena@example.org", status: "new lead", lastContacted: "2026-10-01" });
    const response = await postPostmark(h, POSTMARK);
    expect(response.body).toMatchObject({ status: "logged", direction: "received", contacts: 1, unknown: 0 });
    const page = h.contacts()[0]!;
    expect(selectOf(page, "Status")).toBe("new lead");
    expect(props(page)["Last Contacted"].date.start).toMatch(/^2026-11-04T08:30/);
    const [activity] = h.activities();
    expect(selectOf(activity!, "Type")).toBe("Email received");
    expect(textOf(activity!, "Notes")).toBe("Hello Sam, Yes, Monday works.");

    // An older email does not move Last Contacted back (its own Message-ID, an earlier date).
    const older = RECEIVED.toString("latin1")
      .replace("reply-0002@mail.example.org", "older-0009@mail.example.org")
      .replace("Wed, 04 Nov 2026 08:30:00", "Sun, 01 Nov 2026 08:30:00");
    expect((await postRaw(h, Buffer.from(older, "latin1"))).body).toMatchObject({ status: "logged" });
    expect(props(h.contacts()[0]!)["Last Contacted"].date.start).toMatch(/^2026-11-04T08:30/);
    expect(h.activities()).toHaveLength(2);
  });

  it("a contact past new lead keeps its Status when the team writes to it", async () => {
    h = await startEmailHarness();
    insertContact(h, { email: "lena@example.org", status: "customer" });
    await postRaw(h, SENT);
    expect(selectOf(h.contacts()[0]!, "Status")).toBe("customer");
  });

  it("applies one email once: the same Message-ID again, and through another route, is a duplicate", async () => {
    h = await startEmailHarness();
    insertContact(h, { email: "lena@example.org" });
    expect((await postRaw(h, RECEIVED)).body).toMatchObject({ status: "logged" });
    expect((await postRaw(h, RECEIVED)).body).toMatchObject({ status: "duplicate" });
    expect((await postPostmark(h, POSTMARK)).body).toMatchObject({ status: "duplicate" });
    const mailgun = signedMailgunFields({
      from: "lena@example.org",
      subject: "Re: Your café order",
      "body-plain": "Yes",
      "message-headers": JSON.stringify([["Message-Id", "<reply-0002@mail.example.org>"]]),
    });
    const viaMailgun = await request(h.server.url).post("/inbound-email/mailgun").type("form").send(mailgun);
    expect(viaMailgun.body).toMatchObject({ status: "duplicate" });
    expect(h.activities()).toHaveLength(1);
    expect(storedEmails(h)).toHaveLength(1);
  });

  it("ignores mail among the team only, and answers the Gmail forwarding confirmation by posting its link to the operator channel", async () => {
    const alerts = await startSlackReceiver();
    stops.push(alerts.stop);
    h = await startEmailHarness({ SLACK_ALERTS_WEBHOOK_URL: alerts.url });
    expect((await postRaw(h, emailFixture("internal.eml"))).body).toEqual({
      status: "ignored",
      reason: "mail among the team only",
    });
    const confirmation = await postRaw(h, emailFixture("gmail-forwarding-confirmation.eml"));
    expect(confirmation.body).toEqual({ status: "forwarding confirmation posted" });
    await eventually(() => expect(alerts.received).toHaveLength(1));
    const text = alerts.received[0]!.body.text;
    expect(text).toContain("Gmail Forwarding Confirmation");
    expect(text).toContain("https://mail-settings.google.com/mail/vf-%5BANGjdJ-example%5D-abcdef0123456789");
    expect(JSON.stringify(h.log.lines())).not.toContain("vf-%5BANGjdJ");
    expect(h.contacts()).toEqual([]);
    expect(storedEmails(h).map((row) => row.state)).toEqual(["ignored"]);
  });

  it("keeps no body, no HTML, no attachment: the snippet only until Notion has the row, and never a body in the log", async () => {
    h = await startEmailHarness();
    insertContact(h, { email: "lena@example.org" });
    await postRaw(h, RECEIVED);
    const [row] = storedEmails(h);
    expect(row).toMatchObject({
      state: "done",
      snippet: null,
      direction: "received",
      from_address: "lena@example.org",
    });
    const file = readFileSync(join(h.dataDir, "crm.sqlite")).toString("latin1");
    const wal = readFileSync(join(h.dataDir, "crm.sqlite-wal")).toString("latin1");
    // The quoted text, the HTML and the attachment never reach the state file (the snippet's bytes
    // may linger in freed pages until SQLite reuses them: docs/email-logging.md says so).
    for (const stored of [file, wal]) {
      expect(stored.includes("The machines ship on Monday")).toBe(false);
      expect(stored.includes("PDF-1.4")).toBe(false);
    }
    expect(JSON.stringify(h.log.lines())).not.toContain("Monday works");
  });

  it("without TEAM_EMAIL_DOMAINS the routes do not exist", async () => {
    h = await startEmailHarness({ TEAM_EMAIL_DOMAINS: "" });
    for (const route of ["raw", "postmark", "mailgun"]) {
      expect((await request(h.server.url).post(`/inbound-email/${route}`).send("x")).status).toBe(404);
    }
  });

  it("an email during a Notion outage is answered queued, stored, and applied once when Notion is back", async () => {
    h = await startEmailHarness({}, { emailResponseWaitMs: 300 });
    insertContact(h, { email: "lena@example.org" });
    h.crm.emulator.faults.unavailableFor(60_000, 503);
    const response = await postRaw(h, SENT);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: "queued", direction: "sent", addresses: 2 });
    expect(storedEmails(h)[0]).toMatchObject({ state: "queued" });
    // Sent again by a retrying relay while Notion is down: still one.
    expect((await postRaw(h, SENT)).body).toMatchObject({ status: "duplicate" });
    h.crm.emulator.faults.reset();
    await eventually(() => expect(storedEmails(h!)[0]).toMatchObject({ state: "done" }), { timeoutMs: 20_000 });
    expect(h.activities()).toHaveLength(1);
    expect(selectOf(h.contacts()[0]!, "Status")).toBe("contacted");
    expect(JSON.parse(String(storedEmails(h)[0]!.result_json))).toEqual({ contacts: 1, unknown: 1 });
  });
});
