import { describe, expect, it } from "vitest";
import { SECRET_SETTINGS } from "../../src/config/settings.js";
import { captureLogger } from "../support/capture-logger.js";

const TOKEN = "ntn_4f9a8b7c6d5e4f3a2b1c";
const SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXXSECRET";
const FORM_SECRET = 'form-"quoted"\\secret';

describe("createLogger", () => {
  it("writes JSON lines at the configured level", () => {
    const { logger, lines } = captureLogger({ level: "warn" });
    logger.info("hidden");
    logger.warn({ area: "test" }, "shown");
    expect(lines()).toEqual([expect.objectContaining({ level: 40, msg: "shown", area: "test" })]);
  });

  it("masks secret-bearing keys at any of the usual places", () => {
    const { logger, raw } = captureLogger();
    logger.info(
      {
        token: TOKEN,
        headers: { authorization: `Bearer ${TOKEN}` },
        request: { headers: { authorization: "Bearer x" } },
        config: { FORM_SECRET: "plain" },
      },
      "keys",
    );
    const line = raw.join("\n");
    expect(line).not.toContain(TOKEN);
    expect(line).not.toContain("Bearer x");
    expect(line).not.toContain("plain");
    expect(line).toContain("[redacted]");
  });

  it("masks every secret setting by its name, at the top and one level down", () => {
    const { logger, raw } = captureLogger();
    const values = Object.fromEntries(SECRET_SETTINGS.map((name) => [name, `value-of-${name}`]));
    logger.info({ ...values, config: values }, "settings");
    const line = raw.join("\n");
    for (const name of SECRET_SETTINGS) expect(line).not.toContain(`value-of-${name}`);
    // Twelve today: a secret added to the settings is masked without touching the logger.
    expect(SECRET_SETTINGS.length).toBeGreaterThanOrEqual(12);
  });

  it("masks known secret values wherever they appear: messages, nested fields, error stacks", () => {
    const { logger, raw, lines } = captureLogger({ secrets: [TOKEN, SLACK_URL, FORM_SECRET] });
    logger.warn(`posting to ${SLACK_URL} failed`);
    logger.error({ err: new Error(`401 for token ${TOKEN}`), detail: { deep: { value: FORM_SECRET } } }, "nested");
    const text = raw.join("\n");
    for (const secret of [TOKEN, SLACK_URL, FORM_SECRET, JSON.stringify(FORM_SECRET).slice(1, -1)]) {
      expect(text).not.toContain(secret);
    }
    // The lines stay valid JSON after masking.
    expect(lines().map((line) => line.msg)).toEqual(["posting to [redacted] failed", "nested"]);
  });
});
