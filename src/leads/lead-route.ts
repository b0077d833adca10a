import express, { type Router } from "express";
import { requireJson } from "../http/require-json.js";
import { verifyFormSignature } from "../signatures/verify-form-signature.js";
import { honeypotFilled } from "../spam/honeypot.js";
import { sameSubmissionKeys } from "../spam/same-submission.js";
import { validateLead } from "./lead.js";
import { leadAnswer } from "./lead-answer.js";
import { parseJsonObject } from "./parse-json-object.js";
import type { SubmitLead } from "./submit-lead.js";
import { readRawBody } from "../http/read-raw-body.js";

export const LEAD_BODY_LIMIT_BYTES = 64 * 1024;

export type LeadRouteOptions = {
  /** The lead use case, with no per-sender limits: the only sender /lead sees is the site's own backend. */
  submit: SubmitLead;
  /** FORM_SECRET, then FORM_SECRET_PREVIOUS while a key is being rotated: a body signed with either passes. */
  formSecrets: readonly string[];
  /** A body key that only bots fill; unset, nothing is treated as spam. */
  honeypotField?: string | undefined;
  now?: () => number;
};

/** POST /lead: JSON only, 64 KiB at most, signature verified over the raw bytes before anything is parsed. */
export function leadRoute(options: LeadRouteOptions): Router {
  const router = express.Router();
  router.post("/lead", requireJson, readRawBody({ limitBytes: LEAD_BODY_LIMIT_BYTES }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = verifyFormSignature(body, (name) => req.get(name), options.formSecrets);
    if (!signature.ok) {
      req.log.warn({ reason: signature.reason }, "lead refused: bad signature");
      res.status(401).json({ error: "invalid signature" });
      return;
    }
    const parsed = parseJsonObject(body, req.get("content-type"));
    // A Standard Webhooks delivery id wins; a plain X-Form-Signature body is one submission for 10 minutes.
    const sameBody =
      signature.deliveryId === undefined
        ? sameSubmissionKeys("lead-body", body, (options.now ?? Date.now)())
        : undefined;
    const outcome = parsed.ok
      ? await options.submit({
          lead: validateLead(parsed.json),
          idempotencyKey: sameBody?.key ?? `lead:${signature.deliveryId}`,
          sameSubmission: sameBody,
          honeypotFilled: honeypotFilled(Object.entries(parsed.json), options.honeypotField),
          log: req.log,
        })
      : ({ kind: "invalid", error: parsed.error, details: parsed.details } as const);
    const answer = leadAnswer(outcome);
    if (outcome.kind === "invalid") req.log.info({ details: outcome.details }, "lead refused: invalid body");
    else if (outcome.kind !== "limited")
      req.log.info({ answer: answer.body.status, id: answer.body.id }, "lead accepted");
    if (answer.retryAfterSeconds !== undefined) res.set("Retry-After", String(answer.retryAfterSeconds));
    res.status(answer.status).json(answer.body);
  });
  return router;
}
