import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { textOf } from "../support/notion-page.js";
import {
  startTurnstileFake,
  TURNSTILE_DUMMY_TOKEN,
  TURNSTILE_FAILING_SECRET,
  TURNSTILE_PASSING_SECRET,
  TURNSTILE_REAL_SECRET,
  type TurnstileFake,
} from "../support/turnstile-fake.js";
import { activitiesFor, contactsFor, queueRows } from "../form-services/form-service-kit.js";
import { browserPost, FORM_ENV, scriptPost, SITE } from "./form-kit.js";

const TOKEN_FIELD = "cf-turnstile-response";

describe("POST /form with TURNSTILE_SECRET", () => {
  let h: CrmHarness;
  let cloudflare: TurnstileFake;
  afterEach(async () => {
    await h?.stop();
    await cloudflare?.stop();
  });

  const start = async (secret: string, verifyUrl?: string) => {
    cloudflare = await startTurnstileFake();
    h = await startCrmHarness({
      env: { ...FORM_ENV, TURNSTILE_SECRET: secret, TURNSTILE_VERIFY_URL: verifyUrl ?? cloudflare.url },
    });
  };
  const activityNotesOf = async (email: string) => {
    await eventually(() => expect(contactsFor(h, email)).toHaveLength(1));
    const contact = contactsFor(h, email)[0]!;
    await eventually(() => expect(activitiesFor(h, contact.id)).toHaveLength(1));
    return textOf(activitiesFor(h, contact.id)[0]!, "Notes");
  };

  it("accepts a token Cloudflare passes, posting secret, response and the browser's address form-encoded", async () => {
    await start(TURNSTILE_PASSING_SECRET);
    const response = await browserPost(
      h,
      { email: "human@example.com", message: "Hello", [TOKEN_FIELD]: TURNSTILE_DUMMY_TOKEN },
      { "X-Forwarded-For": "203.0.113.50" },
    );
    expect(response.status).toBe(200);
    expect(cloudflare.requests).toEqual([
      {
        secret: TURNSTILE_PASSING_SECRET,
        response: TURNSTILE_DUMMY_TOKEN,
        remoteip: "203.0.113.50",
        idempotency_key: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    ]);
    const notes = await activityNotesOf("human@example.com");
    expect(notes).toContain("Hello");
    expect(notes).not.toContain("not verified");
    expect(h.log.raw.join("\n")).not.toContain(TURNSTILE_PASSING_SECRET);
  });

  it("403 and nothing written when the token is missing; Cloudflare is not asked", async () => {
    await start(TURNSTILE_PASSING_SECRET);
    const page = await browserPost(h, { email: "notoken@example.com" });
    expect(page.status).toBe(403);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.text).toContain("spam check");
    const script = await scriptPost(h, { email: "notoken@example.com", [TOKEN_FIELD]: "" });
    expect(script.status).toBe(403);
    expect(script.body).toEqual({ error: expect.stringContaining("Turnstile") });
    expect(cloudflare.requests).toEqual([]);
    expect(queueRows(h)).toEqual([]);
  });

  it('403 and nothing written when Cloudflare says "success": false', async () => {
    await start(TURNSTILE_FAILING_SECRET);
    const response = await scriptPost(h, { email: "bot@example.com", [TOKEN_FIELD]: TURNSTILE_DUMMY_TOKEN });
    expect(response.status).toBe(403);
    expect(cloudflare.requests).toHaveLength(1);
    expect(queueRows(h)).toEqual([]);
  });

  it("403 when the token was solved on another site than the page that posted", async () => {
    await start(TURNSTILE_REAL_SECRET);
    const elsewhere = cloudflare.issueToken("evil.example");
    expect((await scriptPost(h, { email: "replay@example.com", [TOKEN_FIELD]: elsewhere })).status).toBe(403);
    const here = cloudflare.issueToken(new URL(SITE).hostname);
    expect((await scriptPost(h, { email: "real@example.com", [TOKEN_FIELD]: here })).status).toBe(202);
    expect(queueRows(h).map((row) => row.email)).toEqual(["real@example.com"]);
  });

  it("Cloudflare answering 5xx twice: the lead is stored and its activity says it was not verified", async () => {
    await start(TURNSTILE_PASSING_SECRET);
    cloudflare.failNext(2, 503);
    const response = await browserPost(h, { email: "outage@example.com", [TOKEN_FIELD]: TURNSTILE_DUMMY_TOKEN });
    expect(response.status).toBe(200);
    expect(cloudflare.requests).toHaveLength(2);
    expect(await activityNotesOf("outage@example.com")).toContain("not verified by Turnstile");
    expect(h.log.lines()).toContainEqual(
      expect.objectContaining({ msg: "Turnstile unavailable: the lead is accepted unverified" }),
    );
  });

  it("an unverified lead that also looks like spam keeps both warnings", async () => {
    await start(TURNSTILE_PASSING_SECRET);
    cloudflare.failNext(2, 500);
    const fields = {
      email: "both@example.com",
      name: "Cheap pills www.spam.com",
      [TOKEN_FIELD]: TURNSTILE_DUMMY_TOKEN,
    };
    expect((await scriptPost(h, fields)).status).toBe(202);
    const notes = await activityNotesOf("both@example.com");
    expect(notes).toContain("not verified by Turnstile");
    expect(notes).toContain("a link in the name");
  });

  it("one 5xx then an answer: the retry, with the same idempotency key, verifies the token", async () => {
    await start(TURNSTILE_REAL_SECRET);
    cloudflare.failNext(1, 502);
    const token = cloudflare.issueToken(new URL(SITE).hostname);
    expect((await scriptPost(h, { email: "retry@example.com", [TOKEN_FIELD]: token })).status).toBe(202);
    expect(cloudflare.requests).toHaveLength(2);
    expect(cloudflare.requests[1]!.idempotency_key).toBe(cloudflare.requests[0]!.idempotency_key);
    expect(await activityNotesOf("retry@example.com")).not.toContain("not verified");
  });

  it("Cloudflare unreachable: the lead is accepted and flagged as not verified", async () => {
    const closed = await closedPortUrl();
    await start(TURNSTILE_PASSING_SECRET, closed);
    const response = await scriptPost(h, { email: "offline@example.com", [TOKEN_FIELD]: TURNSTILE_DUMMY_TOKEN });
    expect(response.status).toBe(202);
    expect(await activityNotesOf("offline@example.com")).toContain("not verified by Turnstile");
  });

  it("a double submit re-posting the same (now spent) token is answered like the first and verified once", async () => {
    await start(TURNSTILE_REAL_SECRET);
    const fields = { email: "double@example.com", [TOKEN_FIELD]: cloudflare.issueToken(new URL(SITE).hostname) };
    const first = await scriptPost(h, fields);
    const second = await scriptPost(h, fields);
    expect(first.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(cloudflare.requests).toHaveLength(1);
    expect(queueRows(h)).toHaveLength(1);
  });
});

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/turnstile/v0/siteverify`;
}
