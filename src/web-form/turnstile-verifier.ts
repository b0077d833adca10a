import { randomUUID } from "node:crypto";

/** The form field Cloudflare's widget fills with its token. */
export const TURNSTILE_TOKEN_FIELD = "cf-turnstile-response";
/** How long one siteverify call may take before it counts as unreachable. */
export const TURNSTILE_ATTEMPT_TIMEOUT_MS = 3_000;
/** Cloudflare's error code for its own failure, which a retry may cure: not a "no". */
const CLOUDFLARE_INTERNAL_ERROR = "internal-error";

export type TurnstileCheck =
  | { kind: "passed" }
  /** A definite no: the token is missing, refused, or was solved on another site. */
  | { kind: "refused"; reason: string }
  /** Cloudflare could not say (unreachable, 5xx, internal error) even after one retry. */
  | { kind: "unverified"; reason: string };

export type TurnstileVerifier = (request: {
  token: string | undefined;
  remoteIp: string | undefined;
  /** The host of the page the form was on; Cloudflare reports where the widget was solved. */
  expectedHostname: string;
}) => Promise<TurnstileCheck>;

export type TurnstileVerifierOptions = {
  secret: string;
  verifyUrl: string;
  fetch?: typeof fetch;
  /** @default TURNSTILE_ATTEMPT_TIMEOUT_MS */
  attemptTimeoutMs?: number;
};

type SiteverifyAnswer = {
  success?: unknown;
  hostname?: unknown;
  "error-codes"?: unknown;
  metadata?: { result_with_testing_key?: unknown };
};

/**
 * Verifies a Turnstile token as Cloudflare documents (form-encoded `secret`,
 * `response`, `remoteip`), retrying once when Cloudflare cannot answer. The
 * retry carries the same `idempotency_key`, so a first call that did reach
 * Cloudflare does not make the token count as already spent.
 * https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
 */
export function createTurnstileVerifier(options: TurnstileVerifierOptions): TurnstileVerifier {
  const { secret, verifyUrl, fetch: fetchImpl = fetch, attemptTimeoutMs = TURNSTILE_ATTEMPT_TIMEOUT_MS } = options;

  const ask = async (form: URLSearchParams): Promise<SiteverifyAnswer | string> => {
    try {
      const response = await fetchImpl(verifyUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form,
        signal: AbortSignal.timeout(attemptTimeoutMs),
      });
      if (!response.ok) return `Cloudflare answered HTTP ${response.status}`;
      const answer = (await response.json()) as SiteverifyAnswer;
      if (typeof answer?.success !== "boolean") return "Cloudflare's answer had no success field";
      if (!answer.success && errorCodes(answer).includes(CLOUDFLARE_INTERNAL_ERROR))
        return "Cloudflare reported an internal error";
      return answer;
    } catch (error) {
      return `Cloudflare could not be reached (${error instanceof Error ? error.name : "error"})`;
    }
  };

  return async ({ token, remoteIp, expectedHostname }) => {
    if (token === undefined || token.trim() === "")
      return { kind: "refused", reason: `no ${TURNSTILE_TOKEN_FIELD} token in the submission` };
    const form = new URLSearchParams({ secret, response: token, idempotency_key: randomUUID() });
    if (remoteIp) form.set("remoteip", remoteIp);

    let answer = await ask(form);
    if (typeof answer === "string") answer = await ask(form);
    if (typeof answer === "string") return { kind: "unverified", reason: answer };
    if (answer.success !== true)
      return {
        kind: "refused",
        reason: `Cloudflare refused the token (${errorCodes(answer).join(", ") || "no code"})`,
      };
    // Cloudflare's test keys report example.com whatever the page: the check
    // would refuse every test, and a test key proves nothing about a site anyway.
    const testing = answer.metadata?.result_with_testing_key === true;
    if (!testing && answer.hostname !== expectedHostname)
      return { kind: "refused", reason: `the token was solved on ${String(answer.hostname)}, not ${expectedHostname}` };
    return { kind: "passed" };
  };
}

function errorCodes(answer: SiteverifyAnswer): string[] {
  const codes = answer["error-codes"];
  return Array.isArray(codes) ? codes.filter((code): code is string => typeof code === "string") : [];
}
