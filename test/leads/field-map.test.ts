import { describe, expect, it } from "vitest";
import { parseFieldMap } from "../../src/config/parse-field-map.js";
import { normalizeLabel } from "../../src/leads/field-map.js";
import { mapAnswers, type FormAnswer } from "../../src/leads/map-answers.js";

const answer = (names: string | string[], value: string | undefined, kind?: "email"): FormAnswer => ({
  names: ([] as string[]).concat(names),
  value,
  ...(kind && { kind }),
});

describe("parseFieldMap", () => {
  it("reads field=label pairs, several labels joined by |", () => {
    expect(parseFieldMap("email=Work email|E-mail, name = Full name ,company=Organisation name")).toEqual({
      ok: true,
      map: { email: ["Work email", "E-mail"], name: ["Full name"], company: ["Organisation name"] },
    });
  });

  it("reads the same as JSON, where labels may hold commas", () => {
    expect(parseFieldMap('{"message": "Anything else, in a few words?", "email": ["Email", "Mail"]}')).toEqual({
      ok: true,
      map: { message: ["Anything else, in a few words?"], email: ["Email", "Mail"] },
    });
  });

  it.each([
    ["phone=Phone", 'unknown lead field "phone"'],
    ["email", "field=label pairs"],
    ["email=", "no label for email"],
    ['{"email": 3}', "label or a list of labels"],
    ["{not json", "not valid JSON"],
  ])("refuses %j, saying why", (text, reason) => {
    const parsed = parseFieldMap(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(reason);
  });
});

describe("normalizeLabel", () => {
  it("ignores case, punctuation and spacing", () => {
    expect(normalizeLabel("  E-Mail_Address? ")).toBe("e mail address");
    expect(normalizeLabel("utm_source")).toBe("utm source");
  });
});

describe("mapAnswers", () => {
  it("recognises common labels by default", () => {
    expect(
      mapAnswers([
        answer("E-mail", "ann@x.co"),
        answer("Full Name", "Ann Lee"),
        answer("Organization", "Acme"),
        answer("Comments", "Call me"),
        answer("utm_source", "ads"),
        answer("UTM Medium", "cpc"),
        answer("utm-campaign", "spring"),
        answer("Page URL", "https://acme.example/"),
        answer("Favourite colour", "blue"),
      ]),
    ).toEqual({
      email: "ann@x.co",
      name: "Ann Lee",
      company: "Acme",
      message: "Call me",
      utm_source: "ads",
      utm_medium: "cpc",
      utm_campaign: "spring",
      page_url: "https://acme.example/",
    });
  });

  it("joins first and last name when there is no full name", () => {
    expect(
      mapAnswers([answer("First name", "Bob"), answer("Surname", "Stone"), answer("Email", "b@x.co")]),
    ).toMatchObject({ name: "Bob Stone" });
    expect(mapAnswers([answer("First name", "Bob"), answer("Email", "b@x.co")])).toMatchObject({ name: "Bob" });
    expect(mapAnswers([answer("Name", "Robert"), answer("First name", "Bob")])).toMatchObject({ name: "Robert" });
  });

  it("tries configured labels first, then the defaults", () => {
    const answers = [
      answer("Email", "default@x.co"),
      answer("Contact address", "configured@x.co"),
      answer("Your name", "Ann"),
    ];
    expect(mapAnswers(answers, { email: ["Contact address"] })).toMatchObject({
      email: "configured@x.co",
      name: "Ann",
    });
    expect(mapAnswers(answers, { email: ["Not in this form"] })).toMatchObject({ email: "default@x.co" });
  });

  it("matches any name an answer goes by: label, key, ref", () => {
    expect(mapAnswers([answer(["What should we call you?", "question_3EKz4n", "full_name"], "Ann")])).toEqual({
      name: "Ann",
    });
    expect(mapAnswers([answer(["Who are you?", "question_3EKz4n"], "Ann")], { name: ["question_3EKz4n"] })).toEqual({
      name: "Ann",
    });
  });

  it("falls back to the answer the service marks as an email when no label matches", () => {
    expect(mapAnswers([answer("Where can we reach you?", "ann@x.co", "email")])).toEqual({ email: "ann@x.co" });
    expect(mapAnswers([answer("Where can we reach you?", "ann@x.co")])).toEqual({});
  });

  it("skips blank answers so the next match can fill the field", () => {
    expect(mapAnswers([answer("Email", "  "), answer("Work email", "w@x.co")])).toEqual({ email: "w@x.co" });
    expect(mapAnswers([answer("Email", undefined)])).toEqual({});
  });
});
