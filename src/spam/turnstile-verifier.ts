import { randomUUID } from "node:crypto";

/** The form field Cloudflare's widget fills with its token. */
export const TURNSTILE_TOKEN_FIELD = "cf-turnstile-response";
/** How long one siteverify call may take before it counts as unreachable. */
export const TURNSTILE_ATTEMPT_TIMEOUT_MS = 3_000;
/** Cloudflare's documented longest token; a longer one is refused without asking. */
export const TURNSTILE_TOKEN_MAX_CHARS = 2_048;
/** Cloudflare's error code for its own failure, which a retry may cure. */
const CLOUDFLARE_INTERNAL_ERROR = "internal-error";

export type TurnstileCheck =
  | { kind: "passed" }
  /** A definite no: the token is missing, too long, refused, or solved on another site; or Cloudflare's answer was not siteverify's. */
  | { kind: "refused"; reason: string }
  /** Cloudflare could not be reached or answered 5xx, also on the one retry. */
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

/** siteverify's answer, documented at https://developers.cloudflare.com/turnstile/get-started/server-side-validation/ */
export type SiteverifyAnswer = {
  success: boolean;
  hostname?: unknown;
  "error-codes": string[];
  metadata?: { result_with_testing_key?: unknown };
};

/** One siteverify call: siteverify's answer, Cloudflare unavailable (unreachable, 5xx), or something that is not siteverify. */
export type SiteverifyOutcome =
  /** `listsErrorCodes`: siteverify always sends `error-codes` (empty on success); `npm run check` expects it. */
  | { kind: "answer"; answer: SiteverifyAnswer; listsErrorCodes: boolean }
  | { kind: "unavailable"; reason: string }
  | { kind: "not-siteverify"; reason: string };

/**
 * POSTs one form to siteverify and sorts what came back. Only an unreachable
 * Cloudflare or a 5xx is "unavailable": a 4xx (a mistyped URL's 404, a 413,
 * a 429) or a 200 that is not siteverify's JSON would otherwise switch the
 * captcha off unnoticed. Also used by `npm run check`.
 */
export async function askSiteverify(
  verifyUrl: string,
  form: URLSearchParams,
  {
    fetch: fetchImpl = fetch,
    attemptTimeoutMs = TURNSTILE_ATTEMPT_TIMEOUT_MS,
  }: Pick<TurnstileVerifierOptions, "fetch" | "attemptTimeoutMs"> = {},
): Promise<SiteverifyOutcome> {
  let response: Response;
  try {
    response = await fetchImpl(verifyUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
      signal: AbortSignal.timeout(attemptTimeoutMs),
    });
  } catch (error) {
    return {
      kind: "unavailable",
      reason: `Cloudflare could not be reached (${error instanceof Error ? error.name : "error"})`,
    };
  }
  if (response.status >= 500) {
    await response.body?.cancel();
    return { kind: "unavailable", reason: `Cloudflare answered HTTP ${response.status}` };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { kind: "not-siteverify", reason: `the verify URL answered HTTP ${response.status}` };
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    return { kind: "not-siteverify", reason: "the verify URL's answer is not JSON" };
  }
  const answer = json as Partial<SiteverifyAnswer> | null;
  if (typeof answer?.success !== "boolean")
    return { kind: "not-siteverify", reason: "the verify URL's answer has no success field" };
  const codes = Array.isArray(answer["error-codes"])
    ? answer["error-codes"].filter((code): code is string => typeof code === "string")
    : [];
  return {
    kind: "answer",
    answer: { ...answer, success: answer.success, "error-codes": codes },
    listsErrorCodes: Array.isArray(answer["error-codes"]),
  };
}

/**
 * Verifies a Turnstile token as Cloudflare documents (form-encoded `secret`,
 * `response`, `remoteip`), retrying once when Cloudflare cannot answer. The
 * retry carries the same `idempotency_key`, so a first call that did reach
 * Cloudflare does not make the token count as already spent. It fails open
 * only when Cloudflare stays unreachable or answers 5xx; any other answer
 * without `success: true` (an `internal-error` also after the retry) is a no.
 * https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
 */
export function createTurnstileVerifier(options: TurnstileVerifierOptions): TurnstileVerifier {
  const { secret, verifyUrl } = options;

  return async ({ token, remoteIp, expectedHostname }) => {
    if (token === undefined || token.trim() === "")
      return { kind: "refused", reason: `no ${TURNSTILE_TOKEN_FIELD} token in the submission` };
    if (token.length > TURNSTILE_TOKEN_MAX_CHARS)
      return {
        kind: "refused",
        reason: `the token is longer than Cloudflare's ${TURNSTILE_TOKEN_MAX_CHARS} characters`,
      };
    const form = new URLSearchParams({ secret, response: token, idempotency_key: randomUUID() });
    if (remoteIp) form.set("remoteip", remoteIp);

    let outcome = await askSiteverify(verifyUrl, form, options);
    if (outcome.kind === "unavailable" || internalError(outcome))
      outcome = await askSiteverify(verifyUrl, form, options);
    if (outcome.kind === "unavailable") return { kind: "unverified", reason: outcome.reason };
    if (outcome.kind === "not-siteverify")
      return { kind: "refused", reason: `${outcome.reason}; check TURNSTILE_VERIFY_URL` };
    const { answer } = outcome;
    if (answer.success !== true)
      return {
        kind: "refused",
        reason: `Cloudflare refused the token (${answer["error-codes"].join(", ") || "no code"})`,
      };
    // Cloudflare's test keys report example.com whatever the page: the check
    // would refuse every test, and a test key proves nothing about a site anyway.
    const testing = answer.metadata?.result_with_testing_key === true;
    if (!testing && answer.hostname !== expectedHostname)
      return { kind: "refused", reason: `the token was solved on ${String(answer.hostname)}, not ${expectedHostname}` };
    return { kind: "passed" };
  };
}

/** Cloudflare's own failure, which its documentation says a retry may cure. */
function internalError(outcome: SiteverifyOutcome): boolean {
  return outcome.kind === "answer" && outcome.answer["error-codes"].includes(CLOUDFLARE_INTERNAL_ERROR);
}
