import express, { type RequestHandler, type Router } from "express";
import { verifyFormSignature } from "../signatures/verify-form-signature.js";
import { acceptLead, type AcceptLeadDependencies } from "./accept-lead.js";
import { parseLead } from "./lead.js";

export const LEAD_BODY_LIMIT_BYTES = 64 * 1024;
const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export type LeadRouteOptions = AcceptLeadDependencies & { formSecret: string };

/** POST /lead: JSON only, 64 KiB at most, signature verified over the raw bytes before anything is parsed. */
export function leadRoute(options: LeadRouteOptions): Router {
  const router = express.Router();
  router.post("/lead", requireJson, express.raw({ type: () => true, limit: LEAD_BODY_LIMIT_BYTES }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = verifyFormSignature(body, (name) => req.get(name), options.formSecret);
    if (!signature.ok) {
      req.log.warn({ reason: signature.reason }, "lead refused: bad signature");
      res.status(401).json({ error: "invalid signature" });
      return;
    }
    const parsed = parseLead(body);
    if (!parsed.ok) {
      req.log.info({ details: parsed.details }, "lead refused: invalid body");
      res.status(400).json({ error: parsed.error, details: parsed.details });
      return;
    }
    const key = signature.deliveryId === undefined ? undefined : `lead:${signature.deliveryId}`;
    const answer = await acceptLead(options, parsed.lead, key);
    req.log.info({ answer: answer.body.status, id: answer.body.id }, "lead accepted");
    res.status(answer.status).json(answer.body);
  });
  return router;
}

const requireJson: RequestHandler = (req, res, next) => {
  if (JSON_CONTENT_TYPE.test(req.get("content-type") ?? "")) {
    next();
    return;
  }
  res.status(415).json({ error: "Content-Type must be application/json" });
};
