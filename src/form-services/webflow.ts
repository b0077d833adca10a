import { digestsEqual, hexDigest, hmacSha256 } from "../signatures/hmac.js";
import { submission, type FormService } from "./form-service.js";
import { asArray, asRecord, asText, flatAnswers } from "./json-values.js";
import type { FormAnswer } from "../leads/map-answers.js";
import { withinSignatureWindow } from "../signatures/within-signature-window.js";

const SUBMISSION_TRIGGER = "form_submission";
const TIMESTAMP = /^\d{1,16}$/;

/**
 * Webflow (https://developers.webflow.com/data/docs/working-with-webhooks):
 * `x-webflow-signature` is the hex HMAC-SHA256 of `<x-webflow-timestamp>:<body>`
 * keyed with the app's client secret (or the webhook's own secret); the
 * timestamp is in milliseconds and must be within 5 minutes. Webhooks made
 * in the site dashboard are not signed, so they cannot be used here.
 */
export const webflow: FormService = {
  name: "webflow",
  secretSetting: "WEBFLOW_SECRET",

  verify(body, header, secret, nowMs) {
    const timestamp = header("x-webflow-timestamp")?.trim();
    const given = header("x-webflow-signature")?.trim();
    if (!timestamp || !given) return { ok: false, reason: "x-webflow-timestamp or x-webflow-signature missing" };
    if (!TIMESTAMP.test(timestamp))
      return { ok: false, reason: "x-webflow-timestamp is not milliseconds since the epoch" };
    if (!withinSignatureWindow(Number(timestamp), nowMs))
      return { ok: false, reason: "x-webflow-timestamp is more than 5 minutes from now" };
    const digest = hexDigest(given);
    if (digest === undefined) return { ok: false, reason: "x-webflow-signature is not a 64-digit hex digest" };
    return digestsEqual(hmacSha256(secret, `${timestamp}:`, body), digest)
      ? { ok: true }
      : { ok: false, reason: "x-webflow-signature does not match" };
  },

  readSubmission(json) {
    if (json.triggerType !== undefined && json.triggerType !== SUBMISSION_TRIGGER)
      return { kind: "ignored", reason: `triggerType ${String(json.triggerType)}` };
    // Data API v2 wraps the submission in `payload` (id); v1 sent it bare (_id).
    const payload = asRecord(json.payload) ?? json;
    const emailFields = new Set(
      asArray(payload.schema)
        .map(asRecord)
        .filter((field) => /email/i.test(asText(field?.fieldType) ?? ""))
        .map((field) => asText(field?.fieldName)),
    );
    const answers: FormAnswer[] = flatAnswers(asRecord(payload.data) ?? {}).map((answer) =>
      emailFields.has(answer.names[0]) ? { ...answer, kind: "email" as const } : answer,
    );
    return submission("payload.id", asText(payload.id) ?? asText(payload._id), answers);
  },
};
