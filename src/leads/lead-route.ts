import express, { type Router } from "express";
import { requireJson } from "../server/require-json.js";
import { verifyFormSignature } from "../signatures/verify-form-signature.js";
import { acceptScreenedLead } from "../spam/accept-screened-lead.js";
import { honeypotFilledIn } from "../spam/honeypot.js";
import type { AcceptLeadDependencies } from "./accept-lead.js";
import { parseLead } from "./lead.js";

export const LEAD_BODY_LIMIT_BYTES = 64 * 1024;

export type LeadRouteOptions = AcceptLeadDependencies & {
  formSecret: string;
  /** A body key that only bots fill; unset, nothing is treated as spam. */
  honeypotField?: string | undefined;
};

/** POST /lead: JSON only, 64 KiB at most, signature verified over the raw bytes before anything is parsed. */
export function leadRoute(options: LeadRouteOptions): Router {
  const router = express.Router();
  router.post(
    "/lead",
    requireJson,
    express.raw({ type: () => true, limit: LEAD_BODY_LIMIT_BYTES }),
    async (req, res) => {
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
      // No per-sender limits here: the only sender /lead sees is the site's own
      // backend, and every signed lead it sends is owed a 2xx.
      const honeypotFilled = options.honeypotField !== undefined && honeypotFilledIn(body, options.honeypotField);
      const answer = await acceptScreenedLead(options, parsed.lead, key, { honeypotFilled, log: req.log });
      req.log.info({ answer: answer.body.status, id: answer.body.id }, "lead accepted");
      res.status(answer.status).json(answer.body);
    },
  );
  return router;
}
