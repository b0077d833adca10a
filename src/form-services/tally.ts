import { base64Digest, digestsEqual, hmacSha256 } from "../signatures/hmac.js";
import { submission, type FormService } from "./form-service.js";
import { asArray, asRecord, asText } from "./json-values.js";
import type { FormAnswer } from "../leads/map-answers.js";

const SUBMISSION_EVENT = "FORM_RESPONSE";

/**
 * Tally (https://tally.so/help/webhooks): `Tally-Signature: <base64
 * HMAC-SHA256 of the raw body>`, keyed with the webhook's signing secret.
 * No timestamp: a replay is caught by the response id, the idempotency key.
 */
export const tally: FormService = {
  name: "tally",
  secretSetting: "TALLY_SECRET",

  verify(body, header, secret) {
    const given = header("tally-signature")?.trim();
    if (!given) return { ok: false, reason: "no Tally-Signature header" };
    const digest = base64Digest(given);
    if (digest === undefined) return { ok: false, reason: "Tally-Signature is not base64" };
    return digestsEqual(hmacSha256(secret, body), digest)
      ? { ok: true }
      : { ok: false, reason: "Tally-Signature does not match" };
  },

  readSubmission(json) {
    if (json.eventType !== undefined && json.eventType !== SUBMISSION_EVENT)
      return { kind: "ignored", reason: `eventType ${String(json.eventType)}` };
    const data = asRecord(json.data) ?? {};
    const answers: FormAnswer[] = asArray(data.fields).flatMap((item) => {
      const field = asRecord(item);
      if (field === undefined) return [];
      const names = [asText(field.label), asText(field.key)].filter((name): name is string => name !== undefined);
      return [{ names, value: fieldValue(field), ...(field.type === "INPUT_EMAIL" && { kind: "email" as const }) }];
    });
    return submission(
      "data.responseId",
      asText(data.responseId) ?? asText(data.submissionId) ?? asText(json.eventId),
      answers,
    );
  },
};

/** Choice fields hold option ids; their text is in the field's `options`. */
function fieldValue(field: Record<string, unknown>): string | undefined {
  if (!Array.isArray(field.value)) return asText(field.value);
  const options = new Map(
    asArray(field.options).map((option) => [asText(asRecord(option)?.id), asText(asRecord(option)?.text)]),
  );
  return asText(field.value.map((item) => options.get(asText(item)) ?? item));
}
