import { digestsEqual, hexDigest, hmacSha256 } from "../signatures/hmac.js";
import { submission, type FormService } from "./form-service.js";
import { flatAnswers } from "./json-values.js";

const SIGNATURE_PREFIX = "sha256=";

/**
 * Framer (https://www.framer.com/help/articles/framer-form-webhook-setup):
 * `Framer-Signature: sha256=<hex HMAC-SHA256 of the raw body followed by
 * the submission id>` and `Framer-Webhook-Submission-Id`, keyed with the
 * secret set on the form's webhook. The body is `{ "<input name>": value }`.
 * No timestamp: a replay is caught by the submission id.
 */
export const framer: FormService = {
  name: "framer",
  secretSetting: "FRAMER_SECRET",

  verify(body, header, secret) {
    const given = header("framer-signature")?.trim();
    const submissionId = header("framer-webhook-submission-id")?.trim();
    if (!given || !submissionId)
      return { ok: false, reason: "Framer-Signature or Framer-Webhook-Submission-Id missing" };
    const digest = given.startsWith(SIGNATURE_PREFIX) ? hexDigest(given.slice(SIGNATURE_PREFIX.length)) : undefined;
    if (digest === undefined) return { ok: false, reason: "Framer-Signature is not sha256=<hex>" };
    return digestsEqual(hmacSha256(secret, body, submissionId), digest)
      ? { ok: true, submissionId }
      : { ok: false, reason: "Framer-Signature does not match" };
  },

  readSubmission(json, signed) {
    return submission("Framer-Webhook-Submission-Id", signed.submissionId, flatAnswers(json));
  },
};
