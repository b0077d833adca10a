import { base64Digest, digestsEqual, hmacSha256 } from "../signatures/hmac.js";
import { submission, invalid, type FormService } from "./form-service.js";
import { asArray, asRecord, asText } from "./json-values.js";
import type { FormAnswer } from "../leads/map-answers.js";

const SIGNATURE_PREFIX = "sha256=";
const SUBMISSION_EVENT = "form_response";

/**
 * Typeform (https://www.typeform.com/developers/webhooks/secure-your-webhooks/):
 * `Typeform-Signature: sha256=<base64 HMAC-SHA256 of the raw body>`, keyed
 * with the webhook's secret. No timestamp: a replay is caught by the
 * response token, the idempotency key.
 */
export const typeform: FormService = {
  name: "typeform",
  secretSetting: "TYPEFORM_SECRET",

  verify(body, header, secret) {
    const given = header("typeform-signature")?.trim();
    if (!given) return { ok: false, reason: "no Typeform-Signature header" };
    const digest = given.startsWith(SIGNATURE_PREFIX) ? base64Digest(given.slice(SIGNATURE_PREFIX.length)) : undefined;
    if (digest === undefined) return { ok: false, reason: "Typeform-Signature is not sha256=<base64>" };
    return digestsEqual(hmacSha256(secret, body), digest)
      ? { ok: true }
      : { ok: false, reason: "Typeform-Signature does not match" };
  },

  readSubmission(json) {
    if (json.event_type !== undefined && json.event_type !== SUBMISSION_EVENT)
      return { kind: "ignored", reason: `event_type ${String(json.event_type)}` };
    const response = asRecord(json.form_response);
    if (response === undefined) return invalid("form_response", "is missing");
    // Questions are titled in the form's definition; answers name only the field's id and ref.
    const titles = new Map(
      asArray(asRecord(response.definition)?.fields).map((field) => [
        asText(asRecord(field)?.id),
        asText(asRecord(field)?.title),
      ]),
    );
    const answers: FormAnswer[] = asArray(response.answers).flatMap((item) => {
      const answer = asRecord(item);
      const field = asRecord(answer?.field);
      if (answer === undefined || field === undefined) return [];
      const names = [titles.get(asText(field.id)), asText(field.ref), asText(field.id)].filter(
        (name): name is string => name !== undefined,
      );
      return [{ names, value: answerValue(answer), ...(answer.type === "email" && { kind: "email" as const }) }];
    });
    // Hidden fields (utm_source, page URL, a honeypot) arrive by name.
    for (const [name, value] of Object.entries(asRecord(response.hidden) ?? {}))
      answers.push({ names: [name], value: asText(value) });
    return submission("form_response.token", asText(response.token) ?? asText(json.event_id), answers);
  },
};

/** An answer's value sits under a key named by its type: `{"type":"email","email":"..."}`, `{"type":"choice","choice":{"label":"..."}}`. */
function answerValue(answer: Record<string, unknown>): string | undefined {
  const raw = typeof answer.type === "string" ? answer[answer.type] : undefined;
  const choice = asRecord(raw);
  if (choice === undefined) return asText(raw);
  return asText([...asArray(choice.labels), choice.label, choice.other]);
}
