import { describe, expect, it } from "vitest";
import { checkSlackUrl } from "../../src/check/check-slack-url.js";

describe("checkSlackUrl", () => {
  it("passes a Slack incoming-webhook URL without repeating it", () => {
    const result = checkSlackUrl("https://hooks.slack.com/services/T0001/B0001/abcdefSECRET");
    expect(result.outcome).toBe("pass");
    expect(result.detail).not.toContain("abcdefSECRET");
  });

  it("fails a Slack URL that is not https or not a /services/ webhook", () => {
    expect(checkSlackUrl("http://hooks.slack.com/services/T0001/B0001/abc").outcome).toBe("fail");
    expect(checkSlackUrl("https://hooks.slack.com/workflows/T0001/A0001/123/abc").outcome).toBe("fail");
    expect(checkSlackUrl("https://hooks.slack.com/services/T0001").outcome).toBe("fail");
  });

  it("warns, without failing, when the URL is not Slack's: a relay or a stand-in", () => {
    const result = checkSlackUrl("https://relay.example.com/hook/secret-path");
    expect(result.outcome).toBe("warn");
    expect(result.detail).not.toContain("secret-path");
  });

  it("warns when unset (messages go to the log) and skips when malformed (Settings says why)", () => {
    expect(checkSlackUrl(undefined)).toMatchObject({
      outcome: "warn",
      detail: expect.stringContaining("messages go to the log"),
    });
    expect(checkSlackUrl(undefined, { malformed: true }).outcome).toBe("skip");
  });
});
