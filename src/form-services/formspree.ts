import { createHash } from "node:crypto";
import { digestsEqual, hexDigest, hmacSha256 } from "../signatures/hmac.js";
import { submission, type FormService } from "./form-service.js";
import { asRecord, flatAnswers } from "./json-values.js";
import { withinSignatureWindow } from "../signatures/within-signature-window.js";

const TIMESTAMP = /^\d{1,12}$/;

/**
 * Formspree (https://help.formspree.io/hc/en-us/articles/49066877608723):
 * `Formspree-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
 * keyed with the webhook's signing secret; t must be within 5 minutes.
 * Several v1 values are accepted, so a secret can rotate.
 */
export const formspree: FormService = {
  name: "formspree",
  secretSetting: "FORMSPREE_SECRET",

  verify(body, header, secret, nowMs) {
    const given = header("formspree-signature")?.trim();
    if (!given) return { ok: false, reason: "no Formspree-Signature header" };
    const parts = given.split(",").map((part) => part.trim().split("=", 2) as [string, string | undefined]);
    const timestamp = parts.find(([name]) => name === "t")?.[1];
    if (timestamp === undefined || !TIMESTAMP.test(timestamp))
      return { ok: false, reason: "Formspree-Signature has no t=<unix seconds>" };
    if (!withinSignatureWindow(Number(timestamp) * 1000, nowMs))
      return { ok: false, reason: "Formspree-Signature t is more than 5 minutes from now" };
    const expected = hmacSha256(secret, `${timestamp}.`, body);
    const matches = parts.some(([name, value]) => {
      const digest = name === "v1" && value !== undefined ? hexDigest(value) : undefined;
      return digest !== undefined && digestsEqual(expected, digest);
    });
    return matches ? { ok: true } : { ok: false, reason: "no Formspree-Signature v1 matches" };
  },

  readSubmission(json, { body }) {
    // The fields sit under `submission` next to the form's id; `_date` and the
    // like are Formspree's own. The body names no submission id, so the
    // digest of the bytes stands in: a redelivery sends the same bytes
    // (re-signed with a new t), a new submission never does (its _date differs).
    const fields = asRecord(json.submission) ?? json;
    const id = createHash("sha256").update(body).digest("hex").slice(0, 32);
    return submission(
      "submission",
      id,
      flatAnswers(fields, (key) => key.startsWith("_") && key !== "_replyto"),
    );
  },
};
