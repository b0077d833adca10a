import { z } from "zod";
import { parseJsonObject, type FieldProblem } from "./parse-json-object.js";
import { EMAIL_MAX_CHARS } from "../notion/property-values.js";
import { normalizeEmail } from "../contacts/normalize-email.js";

/** Longest name, company or source we keep; the body limit (64 KiB) bounds the message. */
const SHORT_TEXT_MAX_CHARS = 500;

const optionalText = (max: number) =>
  z
    .string({ error: "must be a string" })
    .max(max, `must be at most ${max} characters`)
    .transform((value) => value.trim())
    .optional()
    .transform((value) => (value === "" ? undefined : value));

/** The body of POST /lead. Unknown fields are ignored. */
export const leadSchema = z.object({
  // Trimmed and lower-cased before anything else: `Ann@X.com ` and `ann@x.com` are one contact.
  email: z
    .string({ error: "is required and must be a string" })
    .transform(normalizeEmail)
    .pipe(
      z
        .email({ error: "must be an email address" })
        .max(EMAIL_MAX_CHARS, `must be at most ${EMAIL_MAX_CHARS} characters`),
    ),
  name: optionalText(SHORT_TEXT_MAX_CHARS),
  company: optionalText(SHORT_TEXT_MAX_CHARS),
  message: optionalText(Number.MAX_SAFE_INTEGER),
  utm_source: optionalText(SHORT_TEXT_MAX_CHARS),
});

export type Lead = z.output<typeof leadSchema>;

/**
 * What a lead may carry beyond the contract's fields. It is kept in the
 * queue with the lead and shown on its Activities row, never on the contact,
 * whose properties the contract fixes.
 */
export type LeadContext = {
  /** The form service that sent it: typeform, tally, webflow, formspree or framer. */
  via?: string;
  utm_medium?: string;
  utm_campaign?: string;
  page_url?: string;
  /** A utm_source not used as the contact's Source (an unsigned post may not add just any option). */
  utm_source?: string;
  /** Why it looks like spam, when it does: it still goes to Notion, flagged. */
  flags?: string[];
};

export type QueuedLead = Lead & { context?: LeadContext };

export type LeadParseResult = { ok: true; lead: Lead } | { ok: false; error: string; details: FieldProblem[] };

/** Parses the raw body bytes: invalid JSON and invalid fields both come back as a 400-ready answer. */
export function parseLead(body: Buffer): LeadParseResult {
  const object = parseJsonObject(body);
  return object.ok ? validateLead(object.json) : object;
}

/** Validates a body already parsed as a JSON object. */
export function validateLead(json: Record<string, unknown>): LeadParseResult {
  const parsed = leadSchema.safeParse(json);
  if (parsed.success) return { ok: true, lead: parsed.data };
  return {
    ok: false,
    error: "invalid lead",
    details: parsed.error.issues.map((issue) => ({ field: issue.path.join(".") || "body", message: issue.message })),
  };
}
