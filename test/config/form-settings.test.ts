import { describe, expect, it } from "vitest";
import { loadConfig, secretValues } from "../../src/config/load-config.js";
import { parseOrigins } from "../../src/config/parse-origins.js";
import { problemsOf } from "../support/config-problems.js";

const noFile = { envFile: false } as const;

describe("POST /form settings", () => {
  it("are off by default, with Cloudflare's siteverify URL", () => {
    const config = loadConfig({}, noFile);
    expect(config.FORM_ALLOWED_ORIGINS).toBeUndefined();
    expect(config.FORM_REDIRECT_URL).toBeUndefined();
    expect(config.TURNSTILE_SECRET).toBeUndefined();
    expect(config.TURNSTILE_VERIFY_URL).toBe("https://challenges.cloudflare.com/turnstile/v0/siteverify");
  });

  it("read several origins as the browser sends them, and keep the redirect URL as written", () => {
    const config = loadConfig(
      {
        FORM_ALLOWED_ORIGINS: " https://example.com, https://www.example.com/ ,http://localhost:8080",
        FORM_REDIRECT_URL: "https://example.com/thanks/",
      },
      noFile,
    );
    expect(config.FORM_ALLOWED_ORIGINS).toEqual([
      "https://example.com",
      "https://www.example.com",
      "http://localhost:8080",
    ]);
    expect(config.FORM_REDIRECT_URL).toBe("https://example.com/thanks/");
  });

  it.each([
    ["https://example.com/contact", "a path"],
    ["example.com", "no scheme"],
    ["ftp://example.com", "another scheme"],
    [",", "nothing"],
  ])("refuse FORM_ALLOWED_ORIGINS=%s (%s), naming the setting", (value) => {
    expect(problemsOf(() => loadConfig({ FORM_ALLOWED_ORIGINS: value }, noFile))).toEqual([
      expect.stringMatching(/^FORM_ALLOWED_ORIGINS /),
    ]);
  });

  it("refuse a redirect that is not an http(s) URL", () => {
    expect(problemsOf(() => loadConfig({ FORM_REDIRECT_URL: "javascript:alert(1)" }, noFile))).toEqual([
      expect.stringMatching(/^FORM_REDIRECT_URL /),
    ]);
  });

  it("count TURNSTILE_SECRET as a secret, never shown in a problem", () => {
    const config = loadConfig({ TURNSTILE_SECRET: "0x4AAAAAAA-secret-value" }, noFile);
    expect(secretValues(config)).toContain("0x4AAAAAAA-secret-value");
  });

  it("normalise an origin as a browser would send it: lower-case host, no default port", () => {
    expect(parseOrigins("https://Example.COM:443,http://example.com:80,http://127.0.0.1:5173")).toEqual({
      ok: true,
      origins: ["https://example.com", "http://example.com", "http://127.0.0.1:5173"],
    });
  });
});
