import { describe, expect, it } from "vitest";
import { parseJsonObject } from "../../src/leads/parse-json-object.js";
import { honeypotFilledIn as honeypotFilledInJson, isFilled } from "../../src/spam/honeypot.js";

// The /lead route parses its body once and looks for the honeypot in that.
const honeypotFilledIn = (body: Buffer, field: string) => {
  const parsed = parseJsonObject(body);
  return parsed.ok && honeypotFilledInJson(parsed.json, field);
};

describe("isFilled", () => {
  it.each([[undefined], [null], [""], ["   "], [false], [[]], [{}], [[""]]])("treats %j as empty", (value) => {
    expect(isFilled(value)).toBe(false);
  });

  it.each([["x"], [" http://spam "], [true], [0], [42], [["a"]], [{ a: "b" }]])("treats %j as filled", (value) => {
    expect(isFilled(value)).toBe(true);
  });
});

describe("honeypotFilledIn", () => {
  const body = (json: unknown) => Buffer.from(JSON.stringify(json));

  it("looks only at the top-level key of that name", () => {
    expect(honeypotFilledIn(body({ email: "a@b.co", website: "http://x" }), "website")).toBe(true);
    expect(honeypotFilledIn(body({ email: "a@b.co", website: "" }), "website")).toBe(false);
    expect(honeypotFilledIn(body({ email: "a@b.co", nested: { website: "x" } }), "website")).toBe(false);
    expect(honeypotFilledIn(body({ email: "a@b.co" }), "website")).toBe(false);
  });

  it("is not fooled by a prototype key", () => {
    expect(honeypotFilledIn(Buffer.from('{"email":"a@b.co"}'), "constructor")).toBe(false);
    expect(honeypotFilledIn(Buffer.from('{"__proto__":{"website":"x"}}'), "website")).toBe(false);
  });

  it("says no for a body that is not JSON (it is refused as a 400 anyway)", () => {
    expect(honeypotFilledIn(Buffer.from("{not json"), "website")).toBe(false);
  });
});
