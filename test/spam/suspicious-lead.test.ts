import { describe, expect, it } from "vitest";
import { suspicionsOf } from "../../src/spam/suspicious-lead.js";

describe("suspicionsOf", () => {
  it.each([["Ann Lee"], ["José María O'Neill-Smith"], ["Dr. J. R. R. Tolkien"], ["李小龍"], ["anne_marie"]])(
    "finds nothing wrong with %s",
    (name) => {
      expect(suspicionsOf({ name })).toEqual([]);
    },
  );

  it("finds nothing wrong with a lead without a name", () => {
    expect(suspicionsOf({})).toEqual([]);
  });

  it.each([
    ["Cheap pills http://spam.example", "a link in the name"],
    ["visit www.example.org now", "a link in the name"],
    ["Best deals at shop.xyz", "a link in the name"],
    ["<https://evil.example|Click here>", "Slack formatting in the name"],
    ["*URGENT* offer", "Slack formatting in the name"],
    ["`rm -rf`", "Slack formatting in the name"],
    ["hey _everyone_ look", "Slack formatting in the name"],
    ["<!channel> free money", "Slack formatting in the name"],
    ["@here winner", "a Slack mention in the name"],
  ])("flags %j for %s", (name, reason) => {
    expect(suspicionsOf({ name })).toContain(reason);
  });
});
