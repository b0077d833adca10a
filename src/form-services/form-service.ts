import type { FieldProblem } from "../leads/parse-json-object.js";
import type { HeaderReader } from "../signatures/verify-form-signature.js";
import type { FormAnswer } from "../leads/map-answers.js";

export type { FieldProblem };

export const FORM_SERVICE_NAMES = ["typeform", "tally", "webflow", "formspree", "framer"] as const;
export type FormServiceName = (typeof FORM_SERVICE_NAMES)[number];

export type ServiceSignatureCheck =
  /** `submissionId`: the id the signed headers carry, for services that put it there (Framer). */
  { ok: true; submissionId?: string } | { ok: false; reason: string };

export type ServiceSubmission =
  | { kind: "submission"; submissionId: string; answers: FormAnswer[] }
  /** A well-signed event that is not a form submission (say Typeform's partial responses): nothing to store. */
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; details: FieldProblem[] };

/**
 * One form service: how it signs, and where its body keeps the answers and
 * the submission's id. Verification reads only the raw bytes and headers;
 * nothing is parsed before it passes.
 */
export type FormService = {
  readonly name: FormServiceName;
  readonly secretSetting: "TYPEFORM_SECRET" | "TALLY_SECRET" | "WEBFLOW_SECRET" | "FORMSPREE_SECRET" | "FRAMER_SECRET";
  verify(body: Buffer, header: HeaderReader, secret: string, nowMs: number): ServiceSignatureCheck;
  readSubmission(
    json: Record<string, unknown>,
    signed: { body: Buffer; submissionId?: string | undefined },
  ): ServiceSubmission;
};

/** Submission ids longer than this are refused: they become idempotency keys. */
export const SUBMISSION_ID_MAX_CHARS = 200;

export function invalid(field: string, message: string): ServiceSubmission {
  return { kind: "invalid", details: [{ field, message }] };
}

/** Checks a submission id found in a body and wraps the answers. */
export function submission(field: string, id: string | undefined, answers: FormAnswer[]): ServiceSubmission {
  if (id === undefined || id === "") return invalid(field, "is missing: it identifies the submission");
  if (id.length > SUBMISSION_ID_MAX_CHARS)
    return invalid(field, `must be at most ${SUBMISSION_ID_MAX_CHARS} characters`);
  return { kind: "submission", submissionId: id, answers };
}
