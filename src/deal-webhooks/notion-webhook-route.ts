import { verifyWebhookSignature } from "@notionhq/client";
import express, { type Router } from "express";
import type { NotionEventStore } from "./notion-event-store.js";
import {
  notionEventEnvelopeSchema,
  notionEventSchema,
  STAGE_EVENT_TYPES,
  verificationTokenOf,
} from "./notion-event.js";
import { readRawBody } from "../http/read-raw-body.js";

export const NOTION_WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
/** An unsigned request can only be the handshake, `{"verification_token":"secret_…"}`: a few dozen bytes. */
export const NOTION_HANDSHAKE_MAX_BYTES = 4 * 1024;

export type NotionWebhookRouteOptions = {
  /** The subscription's verification token; until it is set, only the handshake is answered. */
  secret: string | undefined;
  events: NotionEventStore;
  onEvent: () => void;
  /** Without NOTION_DEALS_DB_ID there is nothing to watch: events are answered and dropped. */
  dealsConfigured: boolean;
};

/**
 * POST /notion-webhook. A signed delivery is verified over the raw bytes
 * before it is parsed; the unsigned handshake is answered and its token
 * logged with what to do next. Events are stored once per id and answered at
 * once; the worker reads the pages afterwards.
 */
export function notionWebhookRoute({ secret, events, onEvent, dealsConfigured }: NotionWebhookRouteOptions): Router {
  const router = express.Router();
  router.post(
    "/notion-webhook",
    readRawBody({
      limitBytes: NOTION_WEBHOOK_BODY_LIMIT_BYTES,
      limitFor: (req) => (req.get("x-notion-signature") === undefined ? NOTION_HANDSHAKE_MAX_BYTES : Infinity),
    }),
    async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = req.get("x-notion-signature");
      const signed = signature !== undefined && secret !== undefined;
      if (signed && !(await verifyWebhookSignature({ body, signature, verificationToken: secret }))) {
        req.log.warn("Notion webhook refused: signature does not match NOTION_WEBHOOK_SECRET");
        res.status(401).json({ error: "invalid signature" });
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(body.toString("utf8"));
      } catch {
        res.status(400).json({ error: "body is not valid JSON" });
        return;
      }

      const token = verificationTokenOf(json);
      if (token !== undefined) {
        if (!isTokenShaped(token)) {
          req.log.warn({ length: token.length }, "Notion webhook handshake refused: the token is not token-shaped");
          res.status(400).json({ error: "verification_token must be 1 to 256 letters, digits, _ or -" });
          return;
        }
        req.log.warn(
          secret === undefined
            ? `Notion webhook verification token received: ${token} — paste it in Notion (integration settings → Webhooks → Verify), ` +
                "then set NOTION_WEBHOOK_SECRET to the same value in .env and restart the server"
            : `Notion webhook verification token received: ${token} — NOTION_WEBHOOK_SECRET is already set; ` +
                "use it only if you are re-creating the subscription (anyone can post an unsigned handshake)",
        );
        res.status(200).json({ status: "ok" });
        return;
      }
      if (!signed) {
        req.log.warn(
          secret === undefined
            ? "Notion webhook event refused: NOTION_WEBHOOK_SECRET is not set (finish the verification handshake, then set it and restart)"
            : "Notion webhook event refused: no X-Notion-Signature header",
        );
        res.status(401).json({ error: "invalid signature" });
        return;
      }
      // A verified event of a type we do not act on (schema changes, comments,
      // types Notion adds later) is answered 200, so Notion does not redeliver it.
      const envelope = notionEventEnvelopeSchema.safeParse(json);
      if (envelope.success && !STAGE_EVENT_TYPES.has(envelope.data.type)) {
        req.log.info(
          { eventId: envelope.data.id, type: envelope.data.type },
          "Notion webhook event ignored: not a type deal alerts act on",
        );
        res.status(200).json({ status: "ignored" });
        return;
      }
      const event = notionEventSchema.safeParse(json);
      if (!event.success) {
        res.status(400).json({
          error: "not a Notion webhook event",
          details: event.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message })),
        });
        return;
      }
      if (!dealsConfigured) {
        req.log.warn({ eventId: event.data.id }, "Notion webhook event dropped: NOTION_DEALS_DB_ID is not set");
        res.status(200).json({ status: "ignored" });
        return;
      }
      const fresh = events.record(event.data);
      req.log.info({ eventId: event.data.id, type: event.data.type, duplicate: !fresh }, "Notion webhook event stored");
      if (fresh) onEvent();
      res.status(200).json({ status: fresh ? "accepted" : "duplicate" });
    },
  );
  return router;
}

/** Notion's tokens are `secret_` and a few dozen letters and digits; anything else is not one. */
function isTokenShaped(token: string): boolean {
  return /^[A-Za-z0-9_-]{1,256}$/.test(token);
}
