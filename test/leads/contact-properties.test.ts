import type { PageObjectResponse } from "@notionhq/client";
import { describe, expect, it } from "vitest";
import {
  activityProperties,
  fillEmptyProperties,
  filledFields,
  mergeLeads,
  newContactProperties,
  offeredFields,
} from "../../src/leads/contact-properties.js";
import { parseLead } from "../../src/leads/lead.js";
import { textChunks } from "../../src/notion/property-values.js";

const AT = new Date("2026-11-23T09:30:00.000Z");

function lead(body: Record<string, unknown>) {
  const parsed = parseLead(Buffer.from(JSON.stringify(body)));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.lead;
}

const text = (content: string) => [
  { type: "text", text: { content, link: null }, plain_text: content, href: null, annotations: {} },
];

/** A Contacts page as Notion returns it, with the given fields filled. */
function contactPage(filled: {
  name?: string;
  company?: string;
  notes?: string;
  source?: string;
  status?: string;
}): PageObjectResponse {
  return {
    object: "page",
    id: "11111111-1111-4111-8111-111111111111",
    in_trash: false,
    properties: {
      Name: { id: "title", type: "title", title: filled.name ? text(filled.name) : [] },
      Email: { id: "e", type: "email", email: "ann@example.com" },
      Company: { id: "c", type: "rich_text", rich_text: filled.company ? text(filled.company) : [] },
      Status: {
        id: "s",
        type: "select",
        select: filled.status ? { id: "x", name: filled.status, color: "default" } : null,
      },
      Source: {
        id: "o",
        type: "select",
        select: filled.source ? { id: "y", name: filled.source, color: "default" } : null,
      },
      "Last Contacted": { id: "l", type: "date", date: null },
      Notes: { id: "n", type: "rich_text", rich_text: filled.notes ? text(filled.notes) : [] },
    },
  } as unknown as PageObjectResponse;
}

describe("parseLead", () => {
  it("trims and lower-cases the email before anything else", () => {
    expect(lead({ email: "  Ann@Example.COM " }).email).toBe("ann@example.com");
  });

  it("ignores unknown fields and blank optional ones", () => {
    expect(lead({ email: "a@b.co", name: "  ", extra: 1, utm_source: "" })).toEqual({ email: "a@b.co" });
  });

  it.each([
    ["invalid JSON", "{not json", "body"],
    ["a JSON array", "[]", "body"],
    ["no email", '{"name":"Ann"}', "email"],
    ["a malformed email", '{"email":"ann-at-example"}', "email"],
    ["an email over 200 characters", JSON.stringify({ email: `${"a".repeat(195)}@example.com` }), "email"],
    ["a name that is not a string", '{"email":"a@b.co","name":42}', "name"],
  ])("refuses %s, naming the field", (_case, body, field) => {
    const parsed = parseLead(Buffer.from(body));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.details.map((detail) => detail.field)).toContain(field);
  });

  it("treats a __proto__ key as data, not as a prototype", () => {
    const parsed = parseLead(
      Buffer.from('{"email":"a@b.co","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
    );
    expect(parsed).toEqual({ ok: true, lead: { email: "a@b.co" } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("textChunks", () => {
  it("splits 5,000 characters into 2,000-character objects without losing any", () => {
    const message = "x".repeat(5_000);
    const chunks = textChunks(message);
    expect(chunks.map((chunk) => chunk.text.content.length)).toEqual([2_000, 2_000, 1_000]);
    expect(chunks.map((chunk) => chunk.text.content).join("")).toBe(message);
  });

  it("never splits an emoji across two objects", () => {
    const message = `${"x".repeat(1_999)}😀${"y".repeat(10)}`;
    const chunks = textChunks(message);
    expect(chunks[0]!.text.content).toBe("x".repeat(1_999));
    expect(chunks[1]!.text.content.startsWith("😀")).toBe(true);
    expect(chunks.map((chunk) => chunk.text.content).join("")).toBe(message);
  });

  it("gives an empty list for empty text", () => {
    expect(textChunks("")).toEqual([]);
  });
});

describe("contact properties", () => {
  it("gives a new contact the contract's fields, with the email as name when there is none", () => {
    expect(newContactProperties(mergeLeads([lead({ email: "ann@example.com" })]), "select", AT)).toEqual({
      Name: { title: [{ text: { content: "ann@example.com" } }] },
      Email: { email: "ann@example.com" },
      Status: { select: { name: "new lead" } },
      Source: { select: { name: "website" } },
      "Last Contacted": { date: { start: "2026-11-23T09:30:00.000Z" } },
    });
  });

  it("writes Status as a status when the property is one, and utm_source as Source", () => {
    const properties = newContactProperties(
      mergeLeads([lead({ email: "a@b.co", name: "Ann", company: "Acme", message: "hi", utm_source: "google, ads" })]),
      "status",
      AT,
    );
    expect(properties).toMatchObject({
      Name: { title: [{ text: { content: "Ann" } }] },
      Company: { rich_text: [{ text: { content: "Acme" } }] },
      Status: { status: { name: "new lead" } },
      Source: { select: { name: "google ads" } },
      Notes: { rich_text: [{ text: { content: "hi" } }] },
    });
  });

  it("on an existing contact fills only empty fields, moves Last Contacted, and never touches Status", () => {
    const page = contactPage({ name: "Ann Original", notes: "first message", status: "customer" });
    const patch = fillEmptyProperties(
      page,
      mergeLeads([lead({ email: "ann@example.com", name: "Ann New", company: "Acme", message: "second" })]),
      AT,
    );
    expect(patch).toEqual({
      "Last Contacted": { date: { start: "2026-11-23T09:30:00.000Z" } },
      Company: { rich_text: [{ text: { content: "Acme" } }] },
      Source: { select: { name: "website" } },
    });
  });

  it("merges leads of one email: first value of each field, every distinct message", () => {
    const merged = mergeLeads([
      lead({ email: "a@b.co", message: "one" }),
      lead({ email: "a@b.co", name: "Ann", message: "two" }),
      lead({ email: "a@b.co", name: "Other", message: "one" }),
    ]);
    expect(merged).toEqual({ email: "a@b.co", name: "Ann", notes: "one\n\ntwo", source: "website" });
    expect(offeredFields(merged)).toEqual(["name", "notes", "source"]);
  });

  it("knows which fields a page has filled", () => {
    expect(filledFields(contactPage({ name: "Ann", source: "website" }))).toEqual(["name", "source"]);
  });

  it("builds an activity row related to its contact, titled with the submission's reference", () => {
    const properties = activityProperties(
      lead({ email: "a@b.co", name: "Ann", message: "hello" }),
      "0123abcd-4567-89ef-0123-456789abcdef",
      "22222222-2222-4222-8222-222222222222",
      AT,
    );
    expect(properties).toEqual({
      Name: { title: [{ text: { content: "Form submission from Ann (ref 0123abcd4567)" } }] },
      Contact: { relation: [{ id: "22222222-2222-4222-8222-222222222222" }] },
      Type: { select: { name: "Form submission" } },
      Date: { date: { start: "2026-11-23T09:30:00.000Z" } },
      Notes: { rich_text: [{ text: { content: "hello" } }] },
    });
  });
});
