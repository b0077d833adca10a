import { describe, expect, it } from "vitest";
import { problemsOf } from "../support/config-problems.js";
import { loadConfig, secretValues } from "../../src/config/load-config.js";

const noFile = { envFile: false } as const;

describe("form-service and spam settings", () => {
  it("are all optional, with limits of 300 per IP (a flood guard) and 5 per email an hour", () => {
    const config = loadConfig({}, noFile);
    expect(config).toMatchObject({ LEADS_PER_IP_PER_HOUR: 300, LEADS_PER_EMAIL_PER_HOUR: 5 });
    expect(config.TYPEFORM_SECRET).toBeUndefined();
    expect(config.FORM_FIELD_MAP).toBeUndefined();
    expect(config.HONEYPOT_FIELD).toBeUndefined();
  });

  it("parse limits (0 is off) and the field map", () => {
    const config = loadConfig(
      {
        LEADS_PER_IP_PER_HOUR: "0",
        LEADS_PER_EMAIL_PER_HOUR: "12",
        FORM_FIELD_MAP: "email=Work email|E-mail",
        HONEYPOT_FIELD: "website",
      },
      noFile,
    );
    expect(config).toMatchObject({ LEADS_PER_IP_PER_HOUR: 0, LEADS_PER_EMAIL_PER_HOUR: 12, HONEYPOT_FIELD: "website" });
    expect(config.FORM_FIELD_MAP).toEqual({ email: ["Work email", "E-mail"] });
  });

  it.each([
    ["LEADS_PER_IP_PER_HOUR", "-1", "LEADS_PER_IP_PER_HOUR must be 0 (no limit) or more"],
    ["LEADS_PER_EMAIL_PER_HOUR", "2.5", "LEADS_PER_EMAIL_PER_HOUR must be a whole number"],
    ["FORM_FIELD_MAP", "phone=Phone", 'FORM_FIELD_MAP maps an unknown lead field "phone"'],
  ])("name %s when it is malformed", (name, value, expected) => {
    expect(problemsOf(() => loadConfig({ [name]: value }, noFile))).toEqual([expect.stringContaining(expected)]);
  });

  it("count the five service secrets as secrets, for the logger to mask", () => {
    const config = loadConfig(
      {
        TYPEFORM_SECRET: "tf-s",
        TALLY_SECRET: "ta-s",
        WEBFLOW_SECRET: "wf-s",
        FORMSPREE_SECRET: "fs-s",
        FRAMER_SECRET: "fr-s",
        HONEYPOT_FIELD: "website",
      },
      noFile,
    );
    expect(secretValues(config).sort()).toEqual(["fr-s", "fs-s", "ta-s", "tf-s", "wf-s"]);
  });
});
