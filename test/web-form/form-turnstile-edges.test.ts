import { afterEach, describe, expect, it } from "vitest";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import {
  startTurnstileFake,
  TURNSTILE_PASSING_SECRET,
  TURNSTILE_REAL_SECRET,
  type TurnstileFake,
} from "../support/turnstile-fake.js";
import { queueRows } from "../form-services/form-service-kit.js";
import { browserPost, FORM_ENV, scriptPost, SITE } from "./form-kit.js";

const TOKEN_FIELD = "cf-turnstile-response";
const HOST = new URL(SITE).hostname;

describe("POST /form with Turnstile: only an unreachable or 5xx Cloudflare lets a lead in unverified", () => {
  let h: CrmHarness;
  let cloudflare: TurnstileFake;
  afterEach(async () => {
    await h?.stop();
    await cloudflare?.stop();
  });

  const start = async (env: Record<string, string> = {}, verifyUrl?: (url: string) => string) => {
    cloudflare = await startTurnstileFake();
    h = await startCrmHarness({
      env: {
        ...FORM_ENV,
        TURNSTILE_SECRET: TURNSTILE_REAL_SECRET,
        TURNSTILE_VERIFY_URL: verifyUrl?.(cloudflare.url) ?? cloudflare.url,
        ...env,
      },
    });
  };

  it.each([400, 404, 413, 429])(
    "HTTP %i from the verify URL refuses (403), asked once, nothing stored",
    async (status) => {
      await start();
      // What a proxy or a wrong path answers: not siteverify's JSON.
      cloudflare.replyNext(1, { status, contentType: "text/html", body: `<h1>${status}</h1>` });
      const response = await scriptPost(h, {
        email: `s${status}@example.com`,
        [TOKEN_FIELD]: cloudflare.issueToken(HOST),
      });
      expect(response.status).toBe(403);
      expect(cloudflare.requests).toHaveLength(1);
      expect(queueRows(h)).toEqual([]);
      expect(h.log.lines()).toContainEqual(
        expect.objectContaining({
          msg: "form refused: Turnstile check failed",
          reason: expect.stringContaining(`${status}`),
        }),
      );
    },
  );

  it("a mistyped TURNSTILE_VERIFY_URL (a 404 page) does not turn the captcha off", async () => {
    await start({}, (url) => url.replace("siteverify", "siteverfy"));
    const page = await browserPost(h, { email: "typo@example.com", [TOKEN_FIELD]: "any" });
    expect(page.status).toBe(403);
    expect(page.text).toContain("spam check");
    expect(queueRows(h)).toEqual([]);
  });

  it.each([
    ["JSON without success", '{"ok":true}', "application/json"],
    ["success as a string", '{"success":"true","error-codes":[]}', "application/json"],
    ["an HTML page", "<html>captive portal</html>", "text/html"],
  ])("a 200 that is not siteverify's answer (%s) refuses", async (_, body, contentType) => {
    await start();
    cloudflare.replyNext(1, { status: 200, contentType, body });
    const response = await scriptPost(h, { email: "odd@example.com", [TOKEN_FIELD]: cloudflare.issueToken(HOST) });
    expect(response.status).toBe(403);
    expect(queueRows(h)).toEqual([]);
  });

  it("internal-error twice is an answer without success: refused after one retry", async () => {
    await start();
    // Cloudflare's documented error shape: https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
    cloudflare.replyNext(2, { status: 200, body: '{"success":false,"error-codes":["internal-error"]}' });
    const response = await scriptPost(h, { email: "ie@example.com", [TOKEN_FIELD]: cloudflare.issueToken(HOST) });
    expect(response.status).toBe(403);
    expect(cloudflare.requests).toHaveLength(2);
  });

  it("a token over 2,048 characters is refused without asking Cloudflare", async () => {
    await start({ TURNSTILE_SECRET: TURNSTILE_PASSING_SECRET });
    const response = await scriptPost(h, { email: "long@example.com", [TOKEN_FIELD]: "x".repeat(2_049) });
    expect(response.status).toBe(403);
    expect(cloudflare.requests).toEqual([]);
    expect(queueRows(h)).toEqual([]);
  });

  it("a sender over its hourly limit gets 429 before Cloudflare is asked", async () => {
    await start({ LEADS_PER_IP_PER_HOUR: "1" });
    const ip = { "X-Forwarded-For": "203.0.113.9" };
    expect(
      (await scriptPost(h, { email: "one@example.com", [TOKEN_FIELD]: cloudflare.issueToken(HOST) }, ip)).status,
    ).toBe(202);
    const over = await scriptPost(h, { email: "two@example.com", [TOKEN_FIELD]: cloudflare.issueToken(HOST) }, ip);
    expect(over.status).toBe(429);
    expect(cloudflare.requests).toHaveLength(1);
  });

  it("a double click's two posts at once: both get the first's success, one token spent, one lead stored", async () => {
    await start();
    const release = cloudflare.hold();
    const fields = { email: "double@example.com", message: "hi", [TOKEN_FIELD]: cloudflare.issueToken(HOST) };
    const first = browserPost(h, fields).then((response) => response);
    await eventually(() => expect(cloudflare.requests).toHaveLength(1));
    const second = browserPost(h, fields).then((response) => response);
    // The second either joins the first or (before the fix) asks Cloudflare with the spent token.
    await eventually(() =>
      expect(
        cloudflare.requests.length === 2 ||
          h.log
            .lines()
            .some((line) => line.msg === "form post repeats one still being handled: it gets that one's answer"),
      ).toBe(true),
    );
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.text).toBe(a.text);
    expect(cloudflare.requests).toHaveLength(1);
    expect(queueRows(h)).toHaveLength(1);
  });
});
