import { randomUUID } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// Cloudflare's documented test keys: https://developers.cloudflare.com/turnstile/troubleshooting/testing/
export const TURNSTILE_PASSING_SECRET = "1x0000000000000000000000000000000AA";
export const TURNSTILE_FAILING_SECRET = "2x0000000000000000000000000000000AA";
export const TURNSTILE_SPENT_SECRET = "3x0000000000000000000000000000000AA";
/** The token the test sitekeys hand the browser, and the only one the test secrets accept. */
export const TURNSTILE_DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";
/** A secret that behaves like a real widget's: it accepts only tokens issued with issueToken, once each. */
export const TURNSTILE_REAL_SECRET = "0x4AAAAAAAfakeRealSecretForTests";

export type SiteverifyRequest = Record<string, string>;

export type TurnstileFake = {
  /** The siteverify URL, for TURNSTILE_VERIFY_URL. */
  url: string;
  /** Every siteverify request, as form fields, answered or failed. */
  requests: SiteverifyRequest[];
  /** A token as if the widget had been solved on a page of `hostname`, for TURNSTILE_REAL_SECRET. */
  issueToken(hostname: string): string;
  /** The next `count` requests get this HTTP status (a Cloudflare outage). */
  failNext(count: number, status?: number): void;
  /** The next `count` requests get this status and body (what a mistyped URL or a proxy answers). */
  replyNext(count: number, reply: { status: number; contentType?: string; body: string }): void;
  /** Holds every answer until the returned function is called (a slow Cloudflare). */
  hold(): () => void;
  stop(): Promise<void>;
};

/** A loopback stand-in for Cloudflare's siteverify, with the dummy keys' documented behaviour. */
export async function startTurnstileFake(): Promise<TurnstileFake> {
  const requests: SiteverifyRequest[] = [];
  const issued = new Map<string, { hostname: string; spentBy?: string }>();
  let failures: { count: number; status: number } = { count: 0, status: 503 };
  let replies: { count: number; status: number; contentType?: string; body: string } = {
    count: 0,
    status: 200,
    body: "",
  };
  let held: Array<() => void> | undefined;

  const verdict = (fields: SiteverifyRequest): Record<string, unknown> => {
    const { secret, response, idempotency_key: key } = fields;
    const challenge = { challenge_ts: new Date().toISOString(), action: "", cdata: "" };
    if (!secret) return { success: false, "error-codes": ["missing-input-secret"] };
    if (!response) return { success: false, "error-codes": ["missing-input-response"] };
    if (secret === TURNSTILE_PASSING_SECRET) {
      return response === TURNSTILE_DUMMY_TOKEN
        ? {
            success: true,
            "error-codes": [],
            ...challenge,
            hostname: "example.com",
            metadata: { result_with_testing_key: true },
          }
        : { success: false, "error-codes": ["invalid-input-response"] };
    }
    if (secret === TURNSTILE_FAILING_SECRET)
      return { success: false, "error-codes": ["invalid-input-response"], metadata: { result_with_testing_key: true } };
    if (secret === TURNSTILE_SPENT_SECRET) return { success: false, "error-codes": ["timeout-or-duplicate"] };
    if (secret !== TURNSTILE_REAL_SECRET) return { success: false, "error-codes": ["invalid-input-secret"] };
    const token = issued.get(response);
    if (token === undefined) return { success: false, "error-codes": ["invalid-input-response"] };
    // Single use, except that a retry with the same idempotency key gets the same answer.
    if (token.spentBy !== undefined && (key === undefined || token.spentBy !== key))
      return { success: false, "error-codes": ["timeout-or-duplicate"] };
    token.spentBy = key ?? "spent";
    return { success: true, "error-codes": [], ...challenge, hostname: token.hostname };
  };

  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    req.on("end", () => {
      const fields = (req.headers["content-type"] ?? "").includes("json")
        ? (JSON.parse(raw || "{}") as SiteverifyRequest)
        : Object.fromEntries(new URLSearchParams(raw));
      requests.push(fields);
      if (held !== undefined) {
        held.push(() => answer(req.method, req.url, fields, res));
        return;
      }
      answer(req.method, req.url, fields, res);
    });
  });
  function answer(method: string | undefined, url: string | undefined, fields: SiteverifyRequest, res: ServerResponse) {
    if (method !== "POST" || url !== "/turnstile/v0/siteverify") {
      res.writeHead(404, { "content-type": "text/html" }).end("<h1>Not Found</h1>");
      return;
    }
    if (failures.count > 0) {
      failures.count--;
      res.writeHead(failures.status, { "content-type": "text/html" }).end("<h1>upstream unavailable</h1>");
      return;
    }
    if (replies.count > 0) {
      replies.count--;
      res.writeHead(replies.status, { "content-type": replies.contentType ?? "application/json" }).end(replies.body);
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(verdict(fields)));
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/turnstile/v0/siteverify`,
    requests,
    issueToken(hostname) {
      const token = `0.fake-${randomUUID()}`;
      issued.set(token, { hostname });
      return token;
    },
    failNext: (count, status = 503) => void (failures = { count, status }),
    replyNext: (count, reply) => void (replies = { count, ...reply }),
    hold() {
      held = [];
      return () => {
        const waiting = held ?? [];
        held = undefined;
        for (const release of waiting) release();
      };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
