import request from "supertest";
import type { CrmHarness } from "../support/crm-harness.js";

export const SITE = "https://shop.example.com";
export const OTHER_SITE = "http://localhost:8080";
/** /form on for two sites, limits off (suites send the same person many times). */
export const FORM_ENV = {
  FORM_ALLOWED_ORIGINS: `${SITE},${OTHER_SITE}`,
  LEADS_PER_IP_PER_HOUR: "0",
  LEADS_PER_EMAIL_PER_HOUR: "0",
} as const;

/** What a browser form post sends: urlencoded, Origin, Accept for a page. */
export function browserPost(h: CrmHarness, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return request(h.server.url)
    .post("/form")
    .set("Origin", SITE)
    .set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    .type("form")
    .set(headers)
    .send(new URLSearchParams(fields).toString());
}

/** What a page's fetch() with a JSON body sends. */
export function scriptPost(h: CrmHarness, body: unknown, headers: Record<string, string> = {}) {
  return request(h.server.url)
    .post("/form")
    .set("Origin", SITE)
    .set("Content-Type", "application/json")
    .set(headers)
    .send(typeof body === "string" ? body : JSON.stringify(body));
}
