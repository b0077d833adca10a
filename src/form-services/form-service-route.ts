import express, { type Request, type RequestHandler, type Router } from "express";
import { LEAD_BODY_LIMIT_BYTES } from "../leads/lead-route.js";
import { requireJson } from "../http/require-json.js";
import { leadAnswer } from "../leads/lead-answer.js";
import type { SubmitLead } from "../leads/submit-lead.js";
import type { FieldMap } from "../config/parse-field-map.js";
import { parseFormLead } from "../leads/parse-form-lead.js";
import type { FormService, FormServiceName } from "./form-service.js";
import { findAnswer, mapAnswers } from "../leads/map-answers.js";
import { honeypotFilled } from "../spam/honeypot.js";
import { parseJsonObject } from "../leads/parse-json-object.js";
import { readRawBody } from "../http/read-raw-body.js";
import { clientIp } from "../http/client-ip.js";

export type FormServiceRouteOptions = {
  /** The lead use case, with the per-sender limits: these posts come from the services' servers. */
  submit: SubmitLead;
  services: readonly FormService[];
  /** A service without a secret has no route: it answers 404. */
  secrets: Partial<Record<FormServiceName, string | undefined>>;
  fieldMap?: FieldMap | undefined;
  honeypotField?: string | undefined;
  now?: () => number;
};

/**
 * POST /lead/<service>: the service's own signature verified over the raw
 * bytes, its body mapped to lead fields and validated by the /lead schema,
 * its submission id as the idempotency key; from there the /lead path.
 */
export function formServiceRoute(options: FormServiceRouteOptions): Router {
  const { now = Date.now } = options;
  const enabled = new Map(
    options.services
      .filter((service) => options.secrets[service.name])
      .map((service) => [service.name as string, service]),
  );
  const router = express.Router();

  const knownService: RequestHandler = (req, res, next) => {
    if (enabled.has(String(req.params.service))) next();
    else res.status(404).json({ error: "not found" });
  };

  router.post(
    "/lead/:service",
    knownService,
    requireJson,
    readRawBody({ limitBytes: LEAD_BODY_LIMIT_BYTES }),
    async (req, res) => {
      const service = enabled.get(String(req.params.service))!;
      const log = req.log.child({ service: service.name });
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);

      const signature = service.verify(body, (name) => req.get(name), options.secrets[service.name]!, now());
      if (!signature.ok) {
        log.warn({ reason: signature.reason }, "form lead refused: bad signature");
        res.status(401).json({ error: "invalid signature" });
        return;
      }
      const parsed = parseJsonObject(body, req.get("content-type"));
      if (!parsed.ok) {
        log.info({ details: parsed.details }, "form lead refused: invalid body");
        res.status(400).json({ error: parsed.error, details: parsed.details });
        return;
      }
      const submission = service.readSubmission(parsed.json, { body, submissionId: signature.submissionId });
      if (submission.kind === "invalid") {
        log.info({ details: submission.details }, "form lead refused: invalid body");
        res.status(400).json({ error: "invalid submission", details: submission.details });
        return;
      }
      if (submission.kind === "ignored") {
        // Signed by the service but not a submission: a 2xx, so it is not retried.
        log.info({ reason: submission.reason }, "form event ignored: not a form submission");
        res.status(200).json({ status: "ignored" });
        return;
      }
      const { submissionId, answers } = submission;
      const outcome = await options.submit({
        lead: parseFormLead(mapAnswers(answers, options.fieldMap), service.name),
        idempotencyKey: `${service.name}:${submissionId}`,
        honeypotFilled: honeypotFilled(
          answers.flatMap((answer) => answer.names.map((name) => [name, answer.value] as const)),
          options.honeypotField,
        ),
        ip: clientIp(req),
        log,
      });
      const answer = leadAnswer(outcome);
      if (outcome.kind === "invalid") log.info({ details: outcome.details }, "form lead refused: invalid lead");
      else if (outcome.kind !== "limited")
        log.info({ answer: answer.body.status, id: answer.body.id }, "form lead accepted");
      if (answer.retryAfterSeconds !== undefined) res.set("Retry-After", String(answer.retryAfterSeconds));
      res.status(answer.status).json(answer.body);
    },
  );
  return router;
}
