import express, { type Request, type Response, type Router } from "express";
import { readRawBody } from "../http/read-raw-body.js";
import { createSerialRunner } from "../util/run-serially.js";
import { requireJson } from "../http/require-json.js";
import { acceptEmail, ReplayedDeliveryError, type AcceptEmailDependencies } from "./accept-email.js";
import type { InboundEmailRoute, ParsedEmail } from "./inbound-email.js";
import type { MailgunTokenStore } from "./mailgun-token-store.js";
import { parseMailgunEmail } from "./parse-mailgun-email.js";
import { parsePostmarkEmail } from "./parse-postmark-email.js";
import { parseRawEmail } from "./parse-raw-email.js";
import { isUnreadableEmailError } from "./unreadable-email-error.js";
import {
  RAW_SIGNATURE_HEADER,
  RAW_TIMESTAMP_HEADER,
  verifyMailgunSignature,
  verifyPostmarkAuth,
  verifyRawEmailSignature,
  type Verdict,
} from "./verify-inbound-email.js";

/** The largest email taken, on every route (the Caddyfile caps /inbound-email/* the same). */
export const INBOUND_EMAIL_MAX_BYTES = 10 * 1024 * 1024;

export type InboundEmailRouteOptions = {
  accept: AcceptEmailDependencies;
  tokens: MailgunTokenStore;
  /** INBOUND_EMAIL_SECRET: Postmark's basic-auth password and the raw route's HMAC key. */
  secret: string | undefined;
  /** MAILGUN_SIGNING_KEY. */
  mailgunSigningKey: string | undefined;
  now?: () => number;
};

const RAW_TYPES = /^(?:message\/rfc822|application\/octet-stream)\s*(?:;|$)/i;
const FORM_TYPES = /^(?:application\/x-www-form-urlencoded|multipart\/form-data)\s*(?:;|$)/i;

/**
 * POST /inbound-email/postmark, /mailgun and /raw: each verifies the
 * delivery over what it received before reading the email (refused: 403 for
 * Postmark, which stops its retries, 401 otherwise, nothing written), reads
 * at most 10 MiB (413 past it), parses the email (400 when it cannot) and
 * hands one parsed-email shape to acceptEmail.
 */
export function inboundEmailRoutes(options: InboundEmailRouteOptions): Router {
  const { now = Date.now } = options;
  const router = express.Router();
  const body = readRawBody({ limitBytes: INBOUND_EMAIL_MAX_BYTES });
  // One email is parsed at a time: a parse holds several copies of a message (up to 10 MiB), and it is CPU work anyway.
  const parseSerially = createSerialRunner();

  router.post("/inbound-email/postmark", requireJson, body, async (req, res) => {
    const verdict = verifyPostmarkAuth(req.get("authorization"), options.secret);
    if (!verdict.ok) return refuse(req, res, "postmark", 403, verdict);
    await accept(req, res, "postmark", () => parsePostmarkEmail(bodyOf(req)));
  });

  router.post(
    "/inbound-email/mailgun",
    contentType(FORM_TYPES, "application/x-www-form-urlencoded or multipart/form-data"),
    body,
    async (req, res) => {
      let fields: Map<string, string>;
      try {
        fields = await formFields(bodyOf(req), req.get("content-type") ?? "");
      } catch {
        res.status(400).json({ error: "the form could not be read" });
        return;
      }
      const token = fields.get("token");
      const signed = { timestamp: fields.get("timestamp"), token, signature: fields.get("signature") };
      let verdict = verifyMailgunSignature(signed, options.mailgunSigningKey, now());
      if (verdict.ok && options.tokens.seen(token!)) verdict = { ok: false, reason: "token seen before (a replay)" };
      if (!verdict.ok) return refuse(req, res, "mailgun", 401, verdict);
      await accept(
        req,
        res,
        "mailgun",
        () => parseMailgunEmail(fields),
        () => options.tokens.remember(token!),
      );
    },
  );

  router.post("/inbound-email/raw", contentType(RAW_TYPES, "message/rfc822"), body, async (req, res) => {
    const raw = bodyOf(req);
    const headers = { timestamp: req.get(RAW_TIMESTAMP_HEADER), signature: req.get(RAW_SIGNATURE_HEADER) };
    const verdict = verifyRawEmailSignature(headers, raw, options.secret, now());
    if (!verdict.ok) return refuse(req, res, "raw", 401, verdict);
    await accept(req, res, "raw", () => parseRawEmail(raw));
  });

  async function accept(
    req: Request,
    res: Response,
    via: InboundEmailRoute,
    parse: () => ParsedEmail | Promise<ParsedEmail>,
    alsoStore?: () => boolean,
  ): Promise<void> {
    let email: ParsedEmail;
    try {
      email = await parseSerially(parse);
    } catch (error) {
      if (!isUnreadableEmailError(error)) throw error;
      req.log.warn({ via, reason: error.message }, "inbound email refused: it could not be read as an email");
      res.status(400).json({ error: error.message });
      return;
    }
    try {
      res.json(await acceptEmail(options.accept, email, via, alsoStore));
    } catch (error) {
      if (!(error instanceof ReplayedDeliveryError)) throw error;
      refuse(req, res, via, 401, { ok: false, reason: "token seen before (a replay)" });
    }
  }

  return router;
}

function refuse(req: Request, res: Response, via: InboundEmailRoute, status: 401 | 403, verdict: Verdict): void {
  req.log.warn({ via, reason: verdict.ok ? undefined : verdict.reason }, "inbound email refused: not verified");
  res.status(status).json({ error: "not verified" });
}

function bodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

function contentType(pattern: RegExp, wanted: string) {
  return (req: Request, res: Response, next: () => void) => {
    if (pattern.test(req.get("content-type") ?? "")) return next();
    res.status(415).json({ error: `Content-Type must be ${wanted}` });
  };
}

/** A form's text fields, urlencoded or multipart (read by undici's FormData parser); files are skipped. */
async function formFields(body: Buffer, type: string): Promise<Map<string, string>> {
  const form = await new Response(body, { headers: { "content-type": type } }).formData();
  const fields = new Map<string, string>();
  for (const [name, value] of form.entries()) {
    if (typeof value === "string" && !fields.has(name)) fields.set(name, value);
  }
  return fields;
}
