import type { PageObjectResponse } from "@notionhq/client";
import { describe, expect, it } from "vitest";
import {
  importedContactProperties,
  importedStatus,
  importFillProperties,
} from "../../src/import/import-contact-properties.js";

/** A Contacts page as Notion returns it, with only the properties a test names filled. */
function page(values: { name?: string; company?: string; source?: string; lastContacted?: string }) {
  const text = (content: string | undefined) =>
    content === undefined ? [] : [{ type: "text", plain_text: content, text: { content } }];
  return {
    object: "page",
    id: "page-1",
    properties: {
      Name: { id: "title", type: "title", title: text(values.name) },
      Email: { id: "e", type: "email", email: "ann@x.example" },
      Company: { id: "c", type: "rich_text", rich_text: text(values.company) },
      Status: { id: "s", type: "select", select: { name: "customer" } },
      Source: { id: "o", type: "select", select: values.source === undefined ? null : { name: values.source } },
      "Last Contacted": {
        id: "l",
        type: "date",
        date: values.lastContacted === undefined ? null : { start: values.lastContacted },
      },
      Notes: { id: "n", type: "rich_text", rich_text: [] },
    },
  } as unknown as PageObjectResponse;
}

describe("importFillProperties", () => {
  it("fills a Name that is only the email, as a lead without a name leaves it", () => {
    expect(
      importFillProperties(page({ name: "ann@x.example" }), { line: 2, email: "ann@x.example", name: "Ann" }),
    ).toEqual({ Name: { title: [{ text: { content: "Ann" } }] } });
  });

  it("changes nothing that is filled, and nothing at all when the file has nothing newer", () => {
    const filled = page({
      name: "Ann",
      company: "Acme",
      source: "website",
      lastContacted: "2026-03-01T10:00:00.000+00:00",
    });
    expect(
      importFillProperties(filled, {
        line: 2,
        email: "ann@x.example",
        name: "Other",
        company: "Other Co",
        source: "Fair",
        status: "lost",
        lastContacted: "2026-03-01",
      }),
    ).toEqual({});
  });
});

describe("importedStatus", () => {
  it("matches the CRM's statuses whatever their case", () => {
    expect(importedStatus("Qualified", "select")).toBe("qualified");
    expect(importedStatus(" NEW LEAD ", "status")).toBe("new lead");
  });

  it("keeps another word as a select option, but falls back to new lead for a status property", () => {
    expect(importedStatus("Attempted to contact", "select")).toBe("Attempted to contact");
    expect(importedStatus("Attempted to contact", "status")).toBe("new lead");
    expect(importedStatus(undefined, "select")).toBe("new lead");
  });
});

describe("importedContactProperties", () => {
  it("writes the Status as the property's type wants it and the default Source when the row has none", () => {
    expect(importedContactProperties({ line: 2, email: "ann@x.example" }, "status", "pipedrive")).toEqual({
      Name: { title: [{ text: { content: "ann@x.example" } }] },
      Email: { email: "ann@x.example" },
      Status: { status: { name: "new lead" } },
      Source: { select: { name: "pipedrive" } },
    });
  });
});
