import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, FORM_SECRET, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { findCaddy, send, startCaddy, type ProxiedResponse, type RunningCaddy } from "../support/caddy.js";
import { formSignatureHex } from "../support/sign.js";

// The contract's "Behind Caddy": the repository's own Caddyfile, run by a
// real caddy in front of the real server, passes every public route, caps
// each body, answers 404 for anything else and lets the per-IP limit see the
// visitor. Only a machine without a caddy binary skips it (.ci/run installs one).
const caddyBinary = findCaddy();
const SITE = "https://shop.example.com";
const IP_LIMIT = 2;
const KiB = 1024;
const MiB = 1024 * KiB;

if (caddyBinary === undefined) {
  console.warn(
    "SKIPPED test/server/caddy.test.ts: no `caddy` binary on PATH, so the shipped Caddyfile was NOT tested. " +
      "Install it (Debian/Ubuntu: apt-get install -y caddy; .ci/run does this when it can).",
  );
}

/** The app stamps every answer with x-request-id; Caddy's own answers have none. */
const fromApp = (res: ProxiedResponse) => typeof res.headers["x-request-id"] === "string";

describe.skipIf(caddyBinary === undefined)(
  caddyBinary === undefined ? "the shipped Caddyfile (SKIPPED: no caddy binary on PATH)" : "the shipped Caddyfile",
  () => {
    let h: CrmHarness;
    let caddy: RunningCaddy;

    beforeAll(async () => {
      h = await startCrmHarness({
        env: {
          FORM_ALLOWED_ORIGINS: SITE,
          LEADS_PER_IP_PER_HOUR: String(IP_LIMIT),
          LEADS_PER_EMAIL_PER_HOUR: "0",
          TYPEFORM_SECRET: "typeform-secret-for-tests",
          // The inbound-email routes exist, so a capped body is read by the route itself.
          TEAM_EMAIL_DOMAINS: "acme.com",
          INBOUND_EMAIL_SECRET: "inbound-email-secret-for-tests",
        },
      });
      caddy = await startCaddy(caddyBinary!, new URL(h.server.url).host);
    }, 60_000);
    afterAll(async () => {
      await caddy?.stop();
      await h?.stop();
    });

    const via = (request: Parameters<typeof send>[1]) => send(caddy.port, request);
    const formPost = (email: string, from: string, headers: Record<string, string> = {}) =>
      via({
        path: "/form",
        from,
        headers: { Origin: SITE, "Content-Type": "application/json", ...headers },
        body: JSON.stringify({ email }),
      });

    it("passes a signed /lead through and the contact reaches Notion", async () => {
      const raw = JSON.stringify({ email: "caddy-lead@example.com", name: "Through Caddy" });
      const res = await via({
        path: "/lead",
        headers: { "Content-Type": "application/json", "X-Form-Signature": formSignatureHex(raw, FORM_SECRET) },
        body: raw,
      });
      expect([200, 202]).toContain(res.status);
      expect(fromApp(res)).toBe(true);
      await eventually(() =>
        expect(h.contacts().map((page) => (page.properties.Email as { email: string }).email)).toContain(
          "caddy-lead@example.com",
        ),
      );
    });

    it("passes /form and answers its CORS preflight for the allowed origin", async () => {
      const preflight = await via({
        method: "OPTIONS",
        path: "/form",
        headers: {
          Origin: SITE,
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "content-type",
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers["access-control-allow-origin"]).toBe(SITE);
      expect(String(preflight.headers["access-control-allow-methods"])).toContain("POST");
      expect(String(preflight.headers["access-control-allow-headers"]).toLowerCase()).toContain("content-type");

      const post = await formPost("caddy-form@example.com", "127.0.0.9");
      expect(post.status).toBe(202);
      expect(JSON.parse(post.text)).toMatchObject({ status: "queued" });
      expect(post.headers["access-control-allow-origin"]).toBe(SITE);
    });

    it("passes every other public route to the app", async () => {
      const typeform = await via({
        path: "/lead/typeform",
        headers: { "Content-Type": "application/json" },
        body: "{}",
      });
      expect(typeform.status).toBe(401);
      const notion = await via({
        path: "/notion-webhook",
        headers: { "Content-Type": "application/json", "X-Notion-Signature": `sha256=${"0".repeat(64)}` },
        body: "{}",
      });
      expect(notion.status).toBe(401);
      const health = await via({ method: "GET", path: "/healthz" });
      expect(health.status).toBe(200);
      expect(JSON.parse(health.text)).toEqual({ status: "ok" });
      for (const path of ["/slack/actions", "/inbound-email/postmark"]) {
        const res = await via({ path, headers: { "Content-Type": "application/json" }, body: "{}" });
        expect({ path, fromApp: fromApp(res) }).toEqual({ path, fromApp: true });
      }
      for (const res of [typeform, notion, health]) expect(fromApp(res)).toBe(true);
    });

    it("answers 404 itself for every other path, without asking the app", async () => {
      const unknown = [
        ["GET", "/"],
        ["POST", "/leads"],
        ["GET", "/healthz/x"],
        ["POST", "/inbound-email"],
        ["GET", "/.env"],
        ["POST", "/slack/actions/x"],
      ] as const;
      for (const [method, path] of unknown) {
        const res = await via({ method, path });
        expect({ path, status: res.status, fromApp: fromApp(res) }).toEqual({ path, status: 404, fromApp: false });
      }
      const paths: readonly string[] = unknown.map(([, path]) => path);
      const seen = h.log.lines().filter((line) => line.msg === "request done" && paths.includes(String(line.path)));
      expect(seen).toEqual([]);
    });

    it.each([
      ["/lead", 128 * KiB],
      ["/form", 128 * KiB],
      ["/notion-webhook", 2 * MiB],
      ["/slack/actions", 2 * MiB],
      ["/inbound-email/postmark", 10 * MiB],
    ])("caps %s at %i bytes with its own 413", async (path, cap) => {
      const res = await via({
        path,
        headers: { Origin: SITE, "Content-Type": "application/json" },
        body: Buffer.alloc(cap + 1, "a"),
      });
      expect(res.status).toBe(413);
      expect(fromApp(res)).toBe(false);
    });

    it("lets a body of exactly the inbound-email cap reach the app", async () => {
      const res = await via({
        path: "/inbound-email/postmark",
        headers: { "Content-Type": "application/json" },
        body: Buffer.alloc(10 * MiB, "a"),
      });
      expect(fromApp(res)).toBe(true);
      // Read whole by the route (within its own 10 MiB cap), then refused: it carries no basic auth.
      expect(res.status).toBe(403);
    });

    it("counts the per-IP limit by the visitor's address, which a visitor cannot forge", async () => {
      for (let n = 0; n < IP_LIMIT; n++)
        expect((await formPost(`ip-a-${n}@example.com`, "127.0.0.2")).status).toBe(202);
      const over = await formPost("ip-a-over@example.com", "127.0.0.2");
      expect(over.status).toBe(429);
      // Another visitor through the same Caddy still has its own allowance.
      expect((await formPost("ip-b@example.com", "127.0.0.3")).status).toBe(202);
      // Naming another address in X-Forwarded-For does not escape the count: Caddy replaces it.
      for (let n = 0; n < IP_LIMIT; n++) {
        const res = await formPost(`ip-c-${n}@example.com`, "127.0.0.4", { "X-Forwarded-For": `127.0.0.${50 + n}` });
        expect(res.status).toBe(202);
      }
      expect((await formPost("ip-c-over@example.com", "127.0.0.4", { "X-Forwarded-For": "127.0.0.60" })).status).toBe(
        429,
      );
    });
  },
);
