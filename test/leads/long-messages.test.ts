import { afterEach, describe, expect, it } from "vitest";
import { ACTIVITY_NOTES_CUT_MARKER, NOTES_CUT_MARKER } from "../../src/leads/contact-properties.js";
import { fitRichText, RICH_TEXT_MAX_JSON_BYTES } from "../../src/notion/fit-rich-text.js";
import { textChunks } from "../../src/notion/property-values.js";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { relationOf, textOf } from "../support/notion-page.js";

describe("fitRichText", () => {
  it("leaves text that fits alone", () => {
    expect(fitRichText("short", "[cut]")).toBe("short");
  });

  it("cuts text past 100 × 2,000 characters, ends it with the marker, and the result splits into 100 objects", () => {
    const fitted = fitRichText("x".repeat(240_045), "[cut]");
    expect(fitted.endsWith("\n\n[cut]")).toBe(true);
    expect(textChunks(fitted).length).toBeLessThanOrEqual(100);
  });

  it("keeps the payload budget for text that is short in characters but long in bytes, never splitting an emoji", () => {
    const fitted = fitRichText("😀".repeat(90_000) + "\u0001".repeat(50_000), "[cut]");
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(RICH_TEXT_MAX_JSON_BYTES);
    expect(fitted.endsWith("\n\n[cut]")).toBe(true);
    expect(fitted).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

describe("long messages batched for one email", () => {
  let h: CrmHarness;
  afterEach(async () => {
    await h.stop();
  });

  it("are all written after an outage: the contact's Notes get what fits and say where the rest is", async () => {
    h = await startCrmHarness({ overrides: { leadResponseWaitMs: 0 } });
    h.crm.emulator.faults.unavailableFor(1_500, 503);
    const messages = ["short hello", ..."abcd".split("").map((letter) => letter.repeat(60_000))];
    const responses = [];
    for (const message of messages) responses.push(await h.postLead({ email: "long@example.com", message }));
    expect(responses.map((response) => response.status)).toEqual([202, 202, 202, 202, 202]);

    await eventually(() => expect(h.activities()).toHaveLength(5), { timeoutMs: 20_000 });
    const [contact] = h.contacts();
    const notes = textOf(contact!, "Notes");
    expect(notes.startsWith("short hello\n\n" + "a".repeat(1_000))).toBe(true);
    expect(notes.endsWith(NOTES_CUT_MARKER)).toBe(true);
    // Every message is whole on its own Activities row.
    const activityNotes = h
      .activities()
      .filter((page) => relationOf(page, "Contact").includes(contact!.id))
      .map((page) => textOf(page, "Notes"))
      .sort();
    expect(activityNotes).toEqual([...messages].sort());
    expect(activityNotes.some((text) => text.includes(ACTIVITY_NOTES_CUT_MARKER))).toBe(false);
  });
});
