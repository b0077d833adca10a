import type { Config } from "../config/load-config.js";
import { DEFAULT_TURNSTILE_VERIFY_URL } from "../config/settings.js";
import { askSiteverify } from "../spam/turnstile-verifier.js";
import type { CheckResult } from "./check-result.js";

const NAME = "Turnstile";
/** What the check posts as the token: no widget issued it, so a real siteverify answers `invalid-input-response`. */
export const CHECK_DUMMY_TOKEN = "npm-run-check-not-a-real-token";
/** Cloudflare's codes for a secret it does not know. */
const SECRET_CODES = new Set(["invalid-input-secret", "missing-input-secret"]);

export type CheckTurnstileOptions = { fetch?: typeof globalThis.fetch; timeoutMs?: number };

/**
 * Asks TURNSTILE_VERIFY_URL once with TURNSTILE_SECRET and a token no widget
 * issued, as the server would ask it: siteverify answers JSON with a
 * `success` boolean and `error-codes`. A mistyped URL (a 404 page, another
 * service's JSON) would refuse every submission, and a secret Cloudflare
 * does not know refuses them all too; both fail the check. Nothing is
 * checked while TURNSTILE_SECRET is unset.
 */
export async function checkTurnstile(
  config: Pick<Config, "TURNSTILE_SECRET" | "TURNSTILE_VERIFY_URL">,
  options: CheckTurnstileOptions = {},
): Promise<CheckResult[]> {
  const { TURNSTILE_SECRET: secret, TURNSTILE_VERIFY_URL: url } = config;
  if (secret === undefined) return [];
  const form = new URLSearchParams({ secret, response: CHECK_DUMMY_TOKEN });
  const outcome = await askSiteverify(url, form, {
    ...(options.fetch !== undefined && { fetch: options.fetch }),
    ...(options.timeoutMs !== undefined && { attemptTimeoutMs: options.timeoutMs }),
  });
  const fix =
    url === DEFAULT_TURNSTILE_VERIFY_URL
      ? ""
      : `; unset TURNSTILE_VERIFY_URL to use Cloudflare's ${DEFAULT_TURNSTILE_VERIFY_URL}`;
  if (outcome.kind === "unavailable")
    return [
      {
        name: NAME,
        outcome: "warn",
        detail: `TURNSTILE_VERIFY_URL could not be asked (${outcome.reason}): until it answers, form leads are accepted unverified`,
      },
    ];
  if (outcome.kind === "not-siteverify" || !outcome.listsErrorCodes)
    return [
      {
        name: NAME,
        outcome: "fail",
        detail: `TURNSTILE_VERIFY_URL does not answer like Cloudflare's siteverify (${outcome.kind === "not-siteverify" ? outcome.reason : "no error-codes in its answer"}): every form submission would be refused${fix}`,
      },
    ];
  const codes = outcome.answer["error-codes"];
  if (codes.some((code) => SECRET_CODES.has(code)))
    return [
      {
        name: NAME,
        outcome: "fail",
        detail: `Cloudflare does not accept TURNSTILE_SECRET (${codes.join(", ")}): copy the secret key of the site's Turnstile widget again`,
      },
    ];
  if (outcome.answer.metadata?.result_with_testing_key === true)
    return [
      {
        name: NAME,
        outcome: "warn",
        detail: "TURNSTILE_SECRET is one of Cloudflare's test secrets: it proves nothing about who sent a form",
      },
    ];
  return [
    { name: NAME, outcome: "pass", detail: "TURNSTILE_VERIFY_URL answers like siteverify and knows TURNSTILE_SECRET" },
  ];
}
