import { describe, expect, it } from "vitest";
import type { StaleLeads } from "../../src/digest/find-stale-leads.js";
import type { StaleLead } from "../../src/digest/stale-lead.js";
import { staleDigestMessage } from "../../src/digest/stale-digest-message.js";

const NOW_MS = Date.parse("2025-03-14T08:30:00Z");
const options = { nowMs: NOW_MS, timeZone: "UTC", staleAfterDays: 30 };

const lead = (overrides: Partial<StaleLead> = {}): StaleLead => ({
  id: "p1",
  url: "https://www.notion.so/Ann-Lee-0123456789abcdef0123456789abcdef",
  name: "Ann Lee",
  email: "ann@example.com",
  lastContacted: "2025-01-01",
  createdTime: "2024-12-01T10:00:00.000Z",
  ...overrides,
});
const found = (stalest: StaleLead[], count = stalest.length, complete = true): StaleLeads => ({
  count,
  stalest,
  complete,
});

describe("staleDigestMessage", () => {
  it("gives the count, then each lead with a link, its email and days since last touched", () => {
    const message = staleDigestMessage(found([lead({ lastContacted: undefined, name: "Bo" }), lead()], 2), options);
    expect(message.text).toBe(
      [
        ':hourglass: *2 stale leads*: status "new lead", not contacted for 30 days or never.',
        "1. <https://www.notion.so/Ann-Lee-0123456789abcdef0123456789abcdef|Bo> · ann@example.com · never contacted",
        "2. <https://www.notion.so/Ann-Lee-0123456789abcdef0123456789abcdef|Ann Lee> · ann@example.com · last touched 72 days ago (2025-01-01)",
        "Oldest first.",
      ].join("\n"),
    );
    expect(message.blocks).toEqual([
      { type: "section", text: { type: "mrkdwn", text: expect.stringContaining("*2 stale leads*"), verbatim: true } },
      {
        type: "section",
        text: { type: "mrkdwn", text: expect.stringMatching(/^1\. <https:.*\|Bo> · /), verbatim: true },
      },
      {
        type: "section",
        text: { type: "mrkdwn", text: expect.stringMatching(/^2\. <https:.*\|Ann Lee> · /), verbatim: true },
      },
      { type: "context", elements: [{ type: "mrkdwn", text: "Oldest first.", verbatim: true }] },
    ]);
  });

  it("says how many it leaves out, with thousands separated", () => {
    const ten = Array.from({ length: 10 }, (_, i) => lead({ id: `p${i}`, name: `Lead ${i}` }));
    const message = staleDigestMessage(found(ten, 1234), options);
    expect(message.text).toMatch(/^:hourglass: \*1,234 stale leads\*/);
    expect(message.text.split("\n").at(-1)).toBe("The 10 stalest of 1,234, oldest first.");
    expect(message.blocks).toHaveLength(12);
  });

  it("marks a count that is only a lower bound", () => {
    expect(staleDigestMessage(found([lead()], 10_000, false), options).text).toMatch(
      /^:hourglass: \*at least 10,000 stale leads\*/,
    );
  });

  it("escapes names and emails, so a contact cannot ping the channel or forge a link", () => {
    const message = staleDigestMessage(
      found([lead({ name: "<!channel> & <https://evil.example|bank>", email: "a<b>@x.com" })]),
      options,
    );
    expect(message.text).not.toMatch(/<!channel>|<https:\/\/evil/);
    expect(message.text).toContain("|&lt;!channel&gt; &amp; &lt;https://evil.example¦bank&gt;>");
    expect(message.text).toContain("a&lt;b&gt;@x.com");
    expect(message.text).toMatch(/^:hourglass: \*1 stale lead\*/);
  });

  it("counts days in DIGEST_TZ's calendar, from a date-time Last Contacted", () => {
    // 23:30 UTC on 3 March is already 4 March in Tokyo; now is 17:30 on 14 March there.
    const touched = lead({ lastContacted: "2025-03-03T23:30:00.000+00:00" });
    expect(staleDigestMessage(found([touched]), options).text).toContain("last touched 11 days ago (2025-03-03)");
    expect(staleDigestMessage(found([touched]), { ...options, timeZone: "Asia/Tokyo" }).text).toContain(
      "last touched 10 days ago (2025-03-04)",
    );
  });

  it("falls back to the email, then a placeholder, and shortens very long names", () => {
    const text = staleDigestMessage(
      found([lead({ name: "" }), lead({ name: "", email: undefined }), lead({ name: "x".repeat(500) })]),
      options,
    ).text;
    expect(text).toContain("|ann@example.com> · ann@example.com");
    expect(text).toContain("|(no name)> · no email");
    expect(text).toContain(`|${"x".repeat(79)}…>`);
  });
});
