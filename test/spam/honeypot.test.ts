import { describe, expect, it } from "vitest";
import { parseJsonObject } from "../../src/leads/parse-json-object.js";
import { honeypotFilled, isFilled } from "../../src/spam/honeypot.js";

// The /lead route parses its body once and looks for the honeypot among its top-level keys.
const filledInBody = (body: Buffer, field: string) => {
  const parsed = parseJsonObject(body);
  return parsed.ok && honeypotFilled(Object.entries(parsed.json), field);
};

describe("isFilled", () => {
  it.each([[undefined], [null], [""], ["   "], [false], [[]], [{}], [[""]]])("treats %j as empty", (value) => {
    expect(isFilled(value)).toBe(false);
  });

  it.each([["x"], [" http://spam "], [true], [0], [42], [["a"]], [{ a: "b" }]])("treats %j as filled", (value) => {
    expect(isFilled(value)).toBe(true);
  });
});

describe("honeypotFilled (the one rule of /lead, /lead/<service> and /form)", () => {
  const body = (json: unknown) => Buffer.from(JSON.stringify(json));

  it("looks only at the top-level key of that name", () => {
    expect(filledInBody(body({ email: "a@b.co", website: "http://x" }), "website")).toBe(true);
    expect(filledInBody(body({ email: "a@b.co", website: "" }), "website")).toBe(false);
    expect(filledInBody(body({ email: "a@b.co", nested: { website: "x" } }), "website")).toBe(false);
    expect(filledInBody(body({ email: "a@b.co" }), "website")).toBe(false);
  });

  it("is not fooled by a prototype key", () => {
    expect(filledInBody(Buffer.from('{"email":"a@b.co"}'), "constructor")).toBe(false);
    expect(filledInBody(Buffer.from('{"__proto__":{"website":"x"}}'), "website")).toBe(false);
  });

  it("matches the exact name only: a field called gotcha is not the _gotcha honeypot", () => {
    expect(honeypotFilled([["gotcha", "I am a person's answer"]], "_gotcha")).toBe(false);
    expect(honeypotFilled([["_Gotcha", "x"]], "_gotcha")).toBe(false);
    expect(honeypotFilled([["Website", "x"]], "website")).toBe(false);
    expect(honeypotFilled([["_gotcha", "x"]], "_gotcha")).toBe(true);
    // One of several names of one answer (a form service's label, key or ref) is enough.
    expect(
      honeypotFilled(
        [
          ["Your website", "x"],
          ["website", "x"],
        ],
        "website",
      ),
    ).toBe(true);
  });

  it("is off when no field is named", () => {
    expect(honeypotFilled([["_gotcha", "x"]], undefined)).toBe(false);
  });
});
