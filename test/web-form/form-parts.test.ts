import { describe, expect, it } from "vitest";
import { answersOf, formEncodingOf, readFormBody } from "../../src/web-form/form-body.js";
import { escapeHtml, problemPage, thankYouPage } from "../../src/web-form/form-pages.js";
import { formSubmissionKeys } from "../../src/web-form/form-submission-key.js";
import { requestOrigin } from "../../src/web-form/request-origin.js";

const headers = (values: Record<string, string>) => (name: string) => values[name];

describe("requestOrigin", () => {
  it("takes Origin first, else the origin of Referer, else nothing", () => {
    expect(requestOrigin(headers({ origin: "https://a.example", referer: "https://b.example/x" }))).toBe(
      "https://a.example",
    );
    expect(requestOrigin(headers({ referer: "https://b.example:8443/contact?x=1#top" }))).toBe(
      "https://b.example:8443",
    );
    expect(requestOrigin(headers({ referer: "not a url" }))).toBeUndefined();
    expect(requestOrigin(headers({}))).toBeUndefined();
  });
});

describe("readFormBody", () => {
  it("decodes urlencoded UTF-8, + as space, and repeated names", async () => {
    const body = Buffer.from("name=Zo%C3%AB+%C3%85ngstr%C3%B6m&tag=a&tag=b&empty=&bare");
    expect(await readFormBody("urlencoded", body, {})).toEqual({
      ok: true,
      fields: [
        { name: "name", value: "Zoë Ångström" },
        { name: "tag", value: "a" },
        { name: "tag", value: "b" },
        { name: "empty", value: "" },
        { name: "bare", value: "" },
      ],
    });
  });

  it("refuses a percent-escape that is not UTF-8 rather than mangling the name", async () => {
    expect(await readFormBody("urlencoded", Buffer.from("name=Zo%EB"), {})).toMatchObject({ ok: false, status: 400 });
  });

  it("reads JSON values as text and refuses a body that is not an object", async () => {
    expect(await readFormBody("json", Buffer.from('{"email":"a@b.co","age":42,"n":null}'), {})).toEqual({
      ok: true,
      fields: [
        { name: "email", value: "a@b.co" },
        { name: "age", value: "42" },
      ],
    });
    expect(await readFormBody("json", Buffer.from("[1]"), {})).toMatchObject({ ok: false, status: 400 });
  });

  it("refuses multipart without a boundary", async () => {
    expect(await readFormBody("multipart", Buffer.from("x"), { "content-type": "multipart/form-data" })).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it("knows the three encodings by Content-Type and nothing else", () => {
    expect(formEncodingOf("application/x-www-form-urlencoded;charset=UTF-8")).toBe("urlencoded");
    expect(formEncodingOf("multipart/form-data; boundary=x")).toBe("multipart");
    expect(formEncodingOf("application/json")).toBe("json");
    expect(formEncodingOf("text/plain")).toBeUndefined();
    expect(formEncodingOf(undefined)).toBeUndefined();
  });
});

describe("answersOf", () => {
  it("stores a textarea's CRLF line breaks (as browsers send them) as LF, like every other source", () => {
    expect(answersOf([{ name: "message", value: "Line one\r\nLine two\rthree" }])).toEqual([
      { names: ["message"], value: "Line one\nLine two\nthree" },
    ]);
  });
});

describe("form pages", () => {
  it("escape everything that came from the request", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    const html = problemPage(
      { title: "Please check the form", explanation: "fix:", problems: ["email: <img src=x onerror=alert(1)>"] },
      `https://example.com/"><script>`,
    );
    expect(html).not.toContain("<img");
    expect(html).not.toContain('"><script>');
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("link back to the form, or to the browser's history when its page is unknown", () => {
    expect(thankYouPage("https://example.com/contact")).toContain('href="https://example.com/contact"');
    expect(problemPage({ title: "t", explanation: "e" }, undefined)).toContain("history.back()");
  });
});

describe("formSubmissionKeys", () => {
  const fields = [
    { name: "email", value: "a@example.com" },
    { name: "message", value: "hi" },
  ];
  const t0 = 1_700_000_000_000;

  it("are the same for the same fields in any order, whatever the Turnstile token", () => {
    const a = formSubmissionKeys("https://x.example", fields, t0);
    const b = formSubmissionKeys(
      "https://x.example",
      [...fields].reverse().concat({ name: "cf-turnstile-response", value: "fresh" }),
      t0,
    );
    expect(b).toEqual(a);
    expect(formSubmissionKeys("https://y.example", fields, t0).key).not.toBe(a.key);
    expect(formSubmissionKeys("https://x.example", [{ name: "email", value: "a@example.com" }], t0).key).not.toBe(
      a.key,
    );
  });
});
