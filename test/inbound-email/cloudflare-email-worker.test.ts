import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker, { deliverToCrm, MAX_MESSAGE_BYTES } from "../../deploy/cloudflare-email-worker/worker.js";
import type { CrmHarness } from "../support/crm-harness.js";
import { selectOf } from "../support/notion-page.js";
import { emailFixture } from "./email-fixtures.js";
import { INBOUND_EMAIL_SECRET, insertContact, startEmailHarness, storedEmails } from "./inbound-email-kit.js";

/** A stand-in for Cloudflare's ForwardableEmailMessage: the raw stream, its size, and setReject recorded. */
function fakeMessage(raw: Buffer, rawSize = raw.length) {
  const rejections: string[] = [];
  return {
    raw: new Response(raw).body!,
    rawSize,
    setReject: (reason: string) => void rejections.push(reason),
    rejections,
  };
}

/** A loopback port nothing listens on: the CRM is down. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe("the Cloudflare Email Worker (deploy/cloudflare-email-worker/worker.js)", () => {
  let h: CrmHarness;
  beforeAll(async () => {
    h = await startEmailHarness();
    insertContact(h, { email: "lena@example.org" });
  });
  afterAll(() => h.stop());
  const env = () => ({ CRM_URL: `${h.server.url}/`, INBOUND_EMAIL_SECRET });

  it("signs the raw message as the server checks it: the BCC'd email moves the lead to contacted", async () => {
    const message = fakeMessage(emailFixture("sent-multipart-alternative-qp.eml"));
    await worker.email(message, env());
    expect(message.rejections).toEqual([]);
    expect(storedEmails(h).map((row) => row.via)).toEqual(["raw"]);
    expect(selectOf(h.contacts()[0]!, "Status")).toBe("contacted");
  });

  it("throws when the CRM is down, so the sending server keeps the message and tries again; it never rejects it", async () => {
    const message = fakeMessage(emailFixture("received-base64-attachment.eml"));
    await expect(deliverToCrm(message, { ...env(), CRM_URL: await closedPortUrl() })).rejects.toThrow(/try again/);
    expect(message.rejections).toEqual([]);
  });

  it("throws on a wrong secret (a setting to fix; the mail waits) and on a 5xx", async () => {
    const wrong = fakeMessage(emailFixture("received-base64-attachment.eml"));
    await expect(deliverToCrm(wrong, { ...env(), INBOUND_EMAIL_SECRET: "not-it" })).rejects.toThrow(/HTTP 401/);
    const unavailable = fakeMessage(emailFixture("received-base64-attachment.eml"));
    const fetch503: typeof fetch = async () => new Response("busy", { status: 503 });
    await expect(deliverToCrm(unavailable, env(), { fetch: fetch503 })).rejects.toThrow(/HTTP 503/);
    expect([...wrong.rejections, ...unavailable.rejections]).toEqual([]);
  });

  it("rejects for good only what can never be taken: not an email (400), or over 10 MiB without sending it", async () => {
    const notEmail = fakeMessage(Buffer.from("no headers at all\r\n"));
    expect(await deliverToCrm(notEmail, env())).toEqual({ status: 400 });
    expect(notEmail.rejections).toHaveLength(1);

    let sent = 0;
    const counting: typeof fetch = async () => {
      sent += 1;
      return new Response("{}", { status: 200 });
    };
    const huge = fakeMessage(Buffer.from("x"), MAX_MESSAGE_BYTES + 1);
    expect(await deliverToCrm(huge, env(), { fetch: counting })).toEqual({ status: 413 });
    expect(huge.rejections[0]).toMatch(/10 MiB/);
    expect(sent).toBe(0);
  });

  it("throws without its settings instead of bouncing mail", async () => {
    const message = fakeMessage(emailFixture("internal.eml"));
    await expect(deliverToCrm(message, {})).rejects.toThrow(/CRM_URL and INBOUND_EMAIL_SECRET/);
    expect(message.rejections).toEqual([]);
  });
});
