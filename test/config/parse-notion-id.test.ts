import { describe, expect, it } from "vitest";
import { parseNotionId } from "../../src/config/parse-notion-id.js";

const DASHED = "1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d";
const HEX = DASHED.replaceAll("-", "");

describe("parseNotionId", () => {
  it.each([
    ["32 hex digits", HEX],
    ["a dashed UUID", DASHED],
    ["upper case hex with surrounding spaces", `  ${HEX.toUpperCase()} `],
    ["a database URL with a slug", `https://www.notion.so/acme/Contacts-${HEX}`],
    ["a database URL with a view query", `https://www.notion.so/${HEX}?v=ffffffffffffffffffffffffffffffff`],
    ["a notion.site URL with a fragment", `https://acme.notion.site/Contacts-${HEX}#section`],
    ["a URL ending in a dashed UUID", `https://www.notion.so/${DASHED}`],
  ])("reads %s as the dashed lower-case id", (_case, input) => {
    expect(parseNotionId(input)).toBe(DASHED);
  });

  it.each([
    ["too short", HEX.slice(1)],
    ["not hex", `${HEX.slice(0, 31)}g`],
    ["a URL without an id", "https://www.notion.so/acme/Contacts"],
    ["a non-web URL", `ftp://example.com/${HEX}`],
    ["empty", ""],
    ["an id with garbage after it", `${HEX}x`],
  ])("rejects %s", (_case, input) => {
    expect(parseNotionId(input)).toBeUndefined();
  });

  it("takes the database id, not the view id, from a URL with ?v=", () => {
    const viewId = "ffffffffffffffffffffffffffffffff";
    expect(parseNotionId(`https://www.notion.so/Contacts-${HEX}?v=${viewId}`)).toBe(DASHED);
  });
});
