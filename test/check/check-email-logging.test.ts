import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkEmailRoutes } from "../../src/check/check-email-logging.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { runTsFile } from "../support/run-node.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("check: email logging", () => {
  it.each([
    [{}, "skip", /^off: TEAM_EMAIL_DOMAINS is not set/],
    [{ TEAM_EMAIL_DOMAINS: ["acme.com"] }, "warn", /neither INBOUND_EMAIL_SECRET nor MAILGUN_SIGNING_KEY is set/],
    [
      { TEAM_EMAIL_DOMAINS: ["acme.com"], INBOUND_EMAIL_SECRET: "s" },
      "pass",
      /taking mail at \/inbound-email\/raw, \/inbound-email\/postmark; not set: MAILGUN_SIGNING_KEY \(mailgun\)$/,
    ],
    [
      { TEAM_EMAIL_DOMAINS: ["acme.com", "acme.io"], INBOUND_EMAIL_SECRET: "s", MAILGUN_SIGNING_KEY: "k" },
      "pass",
      /^team: acme\.com, acme\.io; taking mail at .*\/inbound-email\/mailgun$/,
    ],
  ] as const)("reports the routes and secrets (%o)", (settings, outcome, detail) => {
    const result = checkEmailRoutes({
      TEAM_EMAIL_DOMAINS: undefined,
      INBOUND_EMAIL_SECRET: undefined,
      MAILGUN_SIGNING_KEY: undefined,
      ...(settings as { TEAM_EMAIL_DOMAINS?: string[] }),
    });
    expect(result.outcome).toBe(outcome);
    expect(result.detail).toMatch(detail);
  });

  describe("npm run check with a status-type Status", () => {
    let crm: CrmEmulator;
    let dir: ReturnType<typeof makeTempDir>;
    beforeEach(async () => {
      crm = await startCrmEmulator();
      dir = makeTempDir();
      crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Status", {
        status: { options: [{ name: "new lead" }, { name: "won" }] },
      } as never);
    });
    afterEach(async () => {
      await crm.stop();
      dir.remove();
    });
    const check = (env: Record<string, string>) =>
      runTsFile("scripts/check.ts", {
        env: {
          ...crm.notionEnv(),
          FORM_SECRET: "form-secret-for-check",
          DATA_DIR: dir.path,
          TEAM_EMAIL_DOMAINS: "acme.com",
          INBOUND_EMAIL_SECRET: "inbound-secret-for-check",
          ...env,
        },
      });

    it("warns when Status lacks STATUS_CONTACTED, and passes once it names an option Status has; never prints the secret", async () => {
      const missing = await check({});
      expect(missing.stdout).toContain("✓ Email logging: team: acme.com; taking mail at /inbound-email/raw");
      expect(missing.stdout).toMatch(
        /! Email logging: Contacts' Status \(a status property\) has no option "contacted"/,
      );
      expect(missing.stdout + missing.stderr).not.toContain("inbound-secret-for-check");
      const present = await check({ STATUS_CONTACTED: "won" });
      expect(present.stdout).toContain('✓ Email logging: Status has the option "won" (STATUS_CONTACTED)');
    });
  });
});
