import type { MappedField } from "../config/parse-field-map.js";

/**
 * What forms usually call each field, compared after normalizeLabel (so
 * "E-mail", "e_mail" and "E MAIL" are one label). Configured labels are
 * tried first; these are the fallback.
 */
export const DEFAULT_FIELD_LABELS: Readonly<Record<MappedField, readonly string[]>> = {
  email: [
    "email",
    "e mail",
    "email address",
    "e mail address",
    "your email",
    "your email address",
    "work email",
    "business email",
    "replyto",
  ],
  name: ["name", "full name", "fullname", "your name", "your full name", "contact name"],
  first_name: ["first name", "firstname", "given name", "first"],
  last_name: ["last name", "lastname", "surname", "family name", "last"],
  company: [
    "company",
    "company name",
    "organization",
    "organisation",
    "organization name",
    "organisation name",
    "business",
    "business name",
  ],
  message: [
    "message",
    "your message",
    "comments",
    "comment",
    "how can we help",
    "how can we help you",
    "details",
    "enquiry",
    "inquiry",
    "notes",
  ],
  utm_source: ["utm source"],
  utm_medium: ["utm medium"],
  utm_campaign: ["utm campaign"],
  page_url: ["page url", "pageurl", "page", "landing page", "page uri"],
};

/** Case, punctuation and spacing do not matter: "E-mail address?" is "e mail address". */
export function normalizeLabel(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}
