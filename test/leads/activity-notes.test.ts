import { describe, expect, it } from "vitest";
import { activityNotes } from "../../src/leads/activity-notes.js";

describe("activityNotes", () => {
  it("is the message alone for a plain /lead", () => {
    expect(activityNotes({ message: "Call me" })).toBe("Call me");
    expect(activityNotes({})).toBeUndefined();
  });

  it("puts a warning first and where the lead came from last", () => {
    const notes = activityNotes({
      message: "Call me",
      context: {
        via: "typeform",
        utm_medium: "cpc",
        utm_campaign: "spring",
        page_url: "https://acme.example/pricing",
        flags: ["a link in the name"],
      },
    });
    expect(notes).toBe(
      "⚠ Flagged as possible spam: a link in the name. Check before replying.\n\nCall me\n\nForm: typeform\nutm_medium: cpc\nutm_campaign: spring\nPage: https://acme.example/pricing",
    );
  });

  it("keeps the origin when there is no message", () => {
    expect(activityNotes({ context: { via: "tally" } })).toBe("Form: tally");
  });
});
