import { sameSubmissionKeys, type SameSubmissionKeys } from "../spam/same-submission.js";
import type { FormField } from "./form-body.js";
import { TURNSTILE_TOKEN_FIELD } from "../spam/turnstile-verifier.js";

/**
 * The keys of a browser submission under the one same-submission window:
 * what makes two posts the same is their origin and fields in any order,
 * the Turnstile token left out (a re-post may carry the same spent token or
 * a fresh one).
 */
export function formSubmissionKeys(origin: string, fields: readonly FormField[], nowMs: number): SameSubmissionKeys {
  const entries = fields
    .filter((field) => field.name !== TURNSTILE_TOKEN_FIELD)
    .map((field) => [field.name, field.value])
    .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0));
  return sameSubmissionKeys("form", JSON.stringify([origin, entries]), nowMs);
}
