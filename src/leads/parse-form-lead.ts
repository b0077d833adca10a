import { z } from "zod";
import { leadSchema, type QueuedLead } from "./lead.js";
import type { FieldProblem } from "./parse-json-object.js";
import type { MappedFields } from "./map-answers.js";

const extra = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .transform((value) => value.trim())
    .optional();

// The /lead schema itself, so a form lead is validated exactly like a /lead
// body, plus what forms add: kept as the lead's context, not on the contact.
const formLeadSchema = leadSchema.extend({ utm_medium: extra(500), utm_campaign: extra(500), page_url: extra(2_000) });

export type FormLeadParse = { ok: true; lead: QueuedLead } | { ok: false; error: string; details: FieldProblem[] };

/** The mapped answers of a submission as a lead, or a 400-ready answer naming the field. */
export function parseFormLead(fields: MappedFields, via: string): FormLeadParse {
  if (fields.email === undefined) {
    return {
      ok: false,
      error: "invalid lead",
      details: [
        {
          field: "email",
          message: `no answer of the ${via} submission maps to email: call the field "Email", or name it in FORM_FIELD_MAP`,
        },
      ],
    };
  }
  const parsed = formLeadSchema.safeParse(fields);
  if (!parsed.success) {
    return {
      ok: false,
      error: "invalid lead",
      details: parsed.error.issues.map((issue) => ({ field: issue.path.join(".") || "body", message: issue.message })),
    };
  }
  const { utm_medium, utm_campaign, page_url, ...lead } = parsed.data;
  const context = Object.fromEntries(
    Object.entries({ via, utm_medium, utm_campaign, page_url }).filter(([, value]) => value),
  );
  return { ok: true, lead: { ...lead, context } };
}
