import cors from "cors";
import express, { type Request, type RequestHandler, type Response, type Router } from "express";
import type { FieldMap } from "../config/parse-field-map.js";
import { clientIp } from "../http/client-ip.js";
import { mapAnswers } from "../leads/map-answers.js";
import { parseFormLead } from "../leads/parse-form-lead.js";
import { LEAD_BODY_LIMIT_BYTES } from "../leads/lead-route.js";
import { readRawBody, type BodyRefusal } from "../http/read-raw-body.js";
import type { FieldProblem } from "../leads/parse-json-object.js";
import type { LeadOutcome, SubmissionCheck, SubmitLead } from "../leads/submit-lead.js";
import { honeypotFilled } from "../spam/honeypot.js";
import { findSameSubmission } from "../spam/same-submission.js";
import { answersOf, formEncodingOf, readFormBody, type FormEncoding } from "./form-body.js";
import { problemPage, thankYouPage } from "./form-pages.js";
import type { FormSourcePolicy } from "./form-source.js";
import { formSubmissionKeys } from "./form-submission-key.js";
import { requestOrigin } from "./request-origin.js";
import { TURNSTILE_TOKEN_FIELD, type TurnstileVerifier } from "../spam/turnstile-verifier.js";

/** How long a browser may cache the answer to a preflight. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;
/** An Origin header is the sender's to choose: logs and pages show at most this much of it. */
export const LOGGED_ORIGIN_MAX_CHARS = 200;

export type FormRouteOptions = {
  /** The lead use case with the per-sender limits and no wait for Notion. */
  submit: SubmitLead;
  /** Exact origins (scheme, host, port) whose pages may post. */
  allowedOrigins: readonly string[];
  /** Where a browser goes after a success (303); unset: the built-in thank-you page. */
  redirectUrl?: string | undefined;
  honeypotField: string;
  fieldMap?: FieldMap | undefined;
  /** Which utm_source may become the contact's Source; unset: every one. */
  sourcePolicy?: FormSourcePolicy | undefined;
  /** Set when TURNSTILE_SECRET is. */
  turnstile?: TurnstileVerifier | undefined;
  /** The stored submission under an idempotency key: repeats are answered with its id. */
  findSubmission(key: string): { id: string; receivedAtMs: number } | undefined;
  /** Counts a post refused for its origin (the operator is told hourly). */
  onOriginRefused?: ((origin: string) => void) | undefined;
  now?: () => number;
};

type Refusal = { error: string; details?: FieldProblem[]; title: string; explanation: string; problems?: string[] };

/**
 * POST /form, for pages with no server of their own: a plain HTML form post
 * or a fetch(). Nothing can be signed in a browser, so the origin, a
 * honeypot, the sender limits and optionally Turnstile guard it. A person
 * gets HTML (a thank-you page or a plain-words refusal), a script JSON with
 * CORS for the allowed origins. It answers as soon as the lead is stored.
 */
export function formRoute(options: FormRouteOptions): Router {
  const { allowedOrigins, now = Date.now } = options;
  const router = express.Router();
  // A double click's two posts arrive together: the second waits for the
  // first's answer instead of spending a captcha token Cloudflare has seen.
  const inFlight = new Map<string, Promise<LeadOutcome>>();
  const corsForAllowed = cors({
    origin: [...allowedOrigins],
    methods: ["POST"],
    allowedHeaders: ["Content-Type", "Accept"],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });

  router.options("/form", corsForAllowed);
  const checkOriginAndType: RequestHandler = (req, res, next) => {
    const origin = requestOrigin((name) => req.get(name));
    if (origin === undefined || !allowedOrigins.includes(origin)) {
      req.log.warn({ origin: origin === undefined ? null : cut(origin) }, "form refused: origin not allowed");
      if (origin !== undefined) {
        try {
          options.onOriginRefused?.(origin);
        } catch (error) {
          req.log.error({ err: error }, "could not count the refused origin");
        }
      }
      refuse(req, res, 403, originRefusal(origin));
      return;
    }
    if (formEncodingOf(req.get("content-type")) === undefined) {
      refuse(req, res, 415, {
        error: "Content-Type must be application/x-www-form-urlencoded, multipart/form-data or application/json",
        title: "This form cannot be read",
        explanation:
          'The form sent its data in a format this address does not accept. A plain <form method="post"> works, and so does JSON.',
      });
      return;
    }
    next();
  };

  const handle: RequestHandler = async (req, res) => {
    const origin = requestOrigin((name) => req.get(name))!;
    const encoding = formEncodingOf(req.get("content-type"))!;
    const body = await readFormBody(encoding, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), req.headers);
    if (!body.ok) {
      req.log.info({ details: body.details }, "form refused: unreadable body");
      refuse(req, res, body.status, {
        error: body.error,
        details: body.details,
        title: body.status === 415 ? "Files cannot be sent with this form" : "This form could not be read",
        explanation:
          body.status === 415
            ? "This form may only send text. Remove the attached file and send it again."
            : "What the form sent could not be read. Please go back and try again.",
        problems: body.details.map(plainProblem),
      });
      return;
    }

    const parsed = parseFormLead(mapAnswers(answersOf(body.fields), options.fieldMap), "website form");
    if (!parsed.ok) {
      req.log.info({ details: parsed.details }, "form refused: invalid lead");
      refuse(req, res, 400, {
        error: parsed.error,
        details: parsed.details,
        title: "Please check the form",
        explanation: "Something in the form needs fixing before it can be sent:",
        problems: parsed.details.map(plainProblem),
      });
      return;
    }

    const field = (name: string) => body.fields.find((candidate) => candidate.name === name)?.value;
    const honeypot = honeypotFilled(
      body.fields.map((f) => [f.name, f.value] as const),
      options.honeypotField,
    );
    // "The same submission" is decided before the captcha: a repeat is answered like the first.
    const keys = formSubmissionKeys(origin, body.fields, now());
    const ip = clientIp(req);
    const verify =
      options.turnstile === undefined
        ? undefined
        : async (): Promise<SubmissionCheck> => {
            const check = await options.turnstile!({
              token: field(TURNSTILE_TOKEN_FIELD),
              remoteIp: ip,
              expectedHostname: new URL(origin).hostname,
            });
            if (check.kind === "refused") {
              req.log.warn({ reason: check.reason }, "form refused: Turnstile check failed");
              return { kind: "refused", reason: "the spam check (Turnstile) did not pass" };
            }
            if (check.kind === "unverified") {
              req.log.warn({ reason: check.reason }, "Turnstile unavailable: the lead is accepted unverified");
              return { kind: "unverified", flag: `not verified by Turnstile (${check.reason})` };
            }
            return { kind: "passed" };
          };

    const { context = {}, ...lead } = parsed.lead;
    const source = options.sourcePolicy?.decide(lead.utm_source) ?? { utm_source: lead.utm_source };
    if (source.refused !== undefined)
      req.log.info({ utmSource: cut(source.refused) }, "utm_source not used as Source: the contact gets the default");
    const referer = req.get("referer");
    const first = inFlight.get(keys.key);
    if (first !== undefined) req.log.info("form post repeats one still being handled: it gets that one's answer");
    const repeat = first !== undefined || findSameSubmission(keys, now(), options.findSubmission) !== undefined;
    const submitting =
      first ??
      options.submit({
        lead: {
          ok: true,
          lead: {
            ...lead,
            utm_source: source.utm_source,
            context: {
              ...context,
              via: `website form on ${origin}`,
              ...(context.page_url === undefined && referer !== undefined && { page_url: referer }),
              ...(source.refused !== undefined && { utm_source: source.refused }),
            },
          },
        },
        idempotencyKey: keys.key,
        sameSubmission: keys,
        honeypotFilled: honeypot,
        ip,
        verify,
        log: req.log,
      });
    if (first === undefined) {
      inFlight.set(keys.key, submitting);
      void submitting.finally(() => inFlight.delete(keys.key)).catch(() => undefined);
    }
    const outcome = await submitting;
    if (first === undefined && (outcome.kind === "queued" || outcome.kind === "created" || outcome.kind === "updated"))
      options.sourcePolicy?.stored(source.utm_source);

    if (outcome.kind === "invalid") {
      refuse(req, res, 400, {
        error: outcome.error,
        details: outcome.details,
        title: "Please check the form",
        explanation: "Something in the form needs fixing before it can be sent:",
        problems: outcome.details.map(plainProblem),
      });
      return;
    }
    if (outcome.kind === "refused") {
      refuse(req, res, 403, {
        error: outcome.reason,
        title: "The spam check did not pass",
        explanation:
          "The form was sent before the spam check had finished, or the check failed. Go back, wait until the check shows it is done, and send the form again.",
      });
      return;
    }
    if (outcome.kind === "limited") {
      res.set("Retry-After", String(outcome.retryAfterSeconds));
      refuse(req, res, 429, {
        error: `too many submissions from this ${outcome.limitedBy === "ip" ? "address" : "email"}; try again later`,
        title: "Too many messages",
        explanation: `We have received many messages from this ${outcome.limitedBy === "ip" ? "connection" : "email address"} in the last hour. Please try again in ${waitInWords(outcome.retryAfterSeconds)}.`,
      });
      return;
    }
    // Spam is answered like a success, so a bot cannot learn its honeypot was seen.
    const id =
      outcome.kind === "created" || outcome.kind === "updated"
        ? findSameSubmission(keys, now(), options.findSubmission)?.id
        : outcome.id;
    req.log.info({ id, repeat }, "form lead accepted");
    if (wantsJson(req, encoding)) res.status(202).json({ status: "queued", id: id ?? outcome.id });
    else if (options.redirectUrl !== undefined) res.redirect(303, options.redirectUrl);
    else
      res
        .status(200)
        .type("html")
        .send(thankYouPage(backUrl(req, allowedOrigins)));
  };

  router.post(
    "/form",
    corsForAllowed,
    checkOriginAndType,
    // 413 the moment the body passes the limit, and the connection closed: an endless upload is not read.
    readRawBody({ limitBytes: LEAD_BODY_LIMIT_BYTES, refuse: refuseBody }),
    handle,
  );
  return router;

  function refuse(req: Request, res: Response, status: number, refusal: Refusal): void {
    if (wantsJson(req, formEncodingOf(req.get("content-type")))) {
      res
        .status(status)
        .json(refusal.details ? { error: refusal.error, details: refusal.details } : { error: refusal.error });
      return;
    }
    res
      .status(status)
      .type("html")
      .send(problemPage(refusal, backUrl(req, allowedOrigins)));
  }
}

/** A body refused while it is read (too large, an unknown encoding, undecodable), answered in the request's own way. */
const refuseBody: BodyRefusal = (req, res, status, error) => {
  req.log.info({ status }, "form refused: body too large or unreadable");
  const refusal: Refusal =
    status === 413
      ? {
          error: "request entity too large",
          title: "The form is too large",
          explanation: `What the form sent is over ${LEAD_BODY_LIMIT_BYTES / 1024} KiB. Shorten the message and send it again.`,
        }
      : {
          error: status === 415 ? error : "bad request",
          title: "This form could not be read",
          explanation: "What the form sent could not be read. Please go back and try again.",
        };
  if (wantsJson(req, formEncodingOf(req.get("content-type")))) res.status(status).json({ error: refusal.error });
  else res.status(status).type("html").send(problemPage(refusal, undefined));
};

/** A script: it asked for JSON, or it sent JSON. A browser form post gets HTML. */
function wantsJson(req: Request, encoding: FormEncoding | undefined): boolean {
  return encoding === "json" || /\bapplication\/json\b/i.test(req.get("accept") ?? "");
}

/** The form's page when the browser said it and it is on an allowed site, else that site's home. */
function backUrl(req: Request, allowedOrigins: readonly string[]): string | undefined {
  const referer = req.get("referer");
  try {
    if (referer !== undefined && allowedOrigins.includes(new URL(referer).origin)) return referer;
  } catch {
    // not a URL: fall through to the origin
  }
  const origin = requestOrigin((name) => req.get(name));
  return origin !== undefined && allowedOrigins.includes(origin) ? `${origin}/` : undefined;
}

function originRefusal(origin: string | undefined): Refusal {
  return origin === undefined
    ? {
        error: "origin required: send Origin or Referer",
        title: "This form cannot be accepted",
        explanation:
          "Your browser did not say which page the form was sent from, so it cannot be accepted. Please send it from the website's own page.",
      }
    : {
        error: "origin not allowed",
        title: "This form cannot be sent from here",
        explanation: `Forms from ${cut(origin)} are not accepted here. If this is your website, add ${cut(origin)} to FORM_ALLOWED_ORIGINS.`,
      };
}

function plainProblem({ field, message }: FieldProblem): string {
  return field === "body" ? message : `${field.replace(/_/g, " ")}: ${message}`;
}

function waitInWords(seconds: number): string {
  return seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}

function cut(text: string): string {
  return text.length > LOGGED_ORIGIN_MAX_CHARS ? `${text.slice(0, LOGGED_ORIGIN_MAX_CHARS)}…` : text;
}
