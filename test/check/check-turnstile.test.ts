import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { checkTurnstile } from "../../src/check/check-turnstile.js";
import { startTurnstileFake, TURNSTILE_REAL_SECRET, type TurnstileFake } from "../support/turnstile-fake.js";

describe("checkTurnstile (npm run check)", () => {
  let cloudflare: TurnstileFake;
  afterEach(async () => {
    await cloudflare?.stop();
  });
  const check = (url: string, secret = TURNSTILE_REAL_SECRET) =>
    checkTurnstile({ TURNSTILE_SECRET: secret, TURNSTILE_VERIFY_URL: url });

  it("passes when the URL answers like siteverify, asking it as the server does with a token no widget issued", async () => {
    cloudflare = await startTurnstileFake();
    const [result] = await check(cloudflare.url);
    expect(result).toMatchObject({ name: "Turnstile", outcome: "pass" });
    expect(cloudflare.requests).toEqual([{ secret: TURNSTILE_REAL_SECRET, response: expect.any(String) }]);
  });

  it("fails a mistyped URL (a 404 page): the captcha would refuse every submission", async () => {
    cloudflare = await startTurnstileFake();
    const [result] = await check(cloudflare.url.replace("siteverify", "siteverfy"));
    expect(result).toMatchObject({ outcome: "fail", detail: expect.stringContaining("HTTP 404") });
    expect(result!.detail).toContain("does not answer like Cloudflare's siteverify");
  });

  it.each([
    ["JSON without success", '{"ok":true}'],
    ["no error-codes", '{"success":false}'],
  ])("fails a URL whose 200 is not siteverify's answer (%s)", async (_, body) => {
    cloudflare = await startTurnstileFake();
    cloudflare.replyNext(1, { status: 200, body });
    const [result] = await check(cloudflare.url);
    expect(result).toMatchObject({ outcome: "fail" });
  });

  it("fails a secret Cloudflare does not know, without printing it", async () => {
    cloudflare = await startTurnstileFake();
    const [result] = await check(cloudflare.url, "0x4AAAAAAAwrongSecretThatIsSecret");
    expect(result).toMatchObject({ outcome: "fail", detail: expect.stringContaining("invalid-input-secret") });
    expect(result!.detail).not.toContain("wrongSecretThatIsSecret");
  });

  it("warns when the URL cannot be reached or answers 5xx: leads would be accepted unverified", async () => {
    cloudflare = await startTurnstileFake();
    cloudflare.failNext(1, 503);
    expect((await check(cloudflare.url))[0]).toMatchObject({ outcome: "warn", detail: expect.stringContaining("503") });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect((await check(`http://127.0.0.1:${port}/turnstile/v0/siteverify`))[0]).toMatchObject({ outcome: "warn" });
  });

  it("checks nothing while TURNSTILE_SECRET is unset", async () => {
    expect(await checkTurnstile({ TURNSTILE_SECRET: undefined, TURNSTILE_VERIFY_URL: "http://127.0.0.1:9/x" })).toEqual(
      [],
    );
  });
});
