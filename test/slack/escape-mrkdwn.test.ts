import { describe, expect, it } from "vitest";
import { escapeMrkdwn, mrkdwnLink } from "../../src/slack/escape-mrkdwn.js";
import {
  fitToSlackLimits,
  section,
  SLACK_SECTION_MAX_CHARS,
  SLACK_TEXT_MAX_CHARS,
  truncateMrkdwn,
} from "../../src/slack/slack-message.js";

describe("escapeMrkdwn", () => {
  it("turns a mention into text that cannot ping anyone", () => {
    expect(escapeMrkdwn("<!channel> look")).toBe("&lt;!channel&gt; look");
  });

  it("turns a forged link into text", () => {
    expect(escapeMrkdwn("<https://evil.example|Your bank>")).toBe("&lt;https://evil.example|Your bank&gt;");
  });

  it("escapes & first, so entities are not double-read", () => {
    expect(escapeMrkdwn("Smith & Sons &lt;")).toBe("Smith &amp; Sons &amp;lt;");
  });

  it("builds a link with a user label that cannot break out of it", () => {
    expect(mrkdwnLink("https://www.notion.so/abc", "Acme|<!here>")).toBe(
      "<https://www.notion.so/abc|Acme¦&lt;!here&gt;>",
    );
  });
});

describe("Slack size limits", () => {
  it("cuts a section to 3,000 characters without leaving half an entity", () => {
    const text = `${"a".repeat(SLACK_SECTION_MAX_CHARS - 3)}&amp;tail`;
    const [block] = fitToSlackLimits({ text: "x", blocks: [section(text)] }).blocks!;
    const cut = (block as { text: { text: string } }).text.text;
    expect(cut.length).toBeLessThanOrEqual(SLACK_SECTION_MAX_CHARS);
    expect(cut.endsWith("…")).toBe(true);
    expect(cut).not.toMatch(/&[a-z]*…$/);
  });

  it("cuts the message text to 40,000 characters", () => {
    expect(fitToSlackLimits({ text: "y".repeat(50_000) }).text.length).toBeLessThanOrEqual(SLACK_TEXT_MAX_CHARS);
  });

  it("never leaves half a link", () => {
    expect(truncateMrkdwn(`abc <https://www.notion.so/${"x".repeat(50)}|Deal>`, 20)).toBe("abc …");
  });

  it("leaves short text alone", () => {
    expect(truncateMrkdwn("short", 10)).toBe("short");
  });
});
