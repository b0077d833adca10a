import { ConfigError } from "../config/config-error.js";
import { loadConfig, type Config } from "../config/load-config.js";
import { SERVER_REQUIRED_SETTINGS, settingsSchema, type SettingName } from "../config/settings.js";
import type { CheckResult } from "./check-result.js";

export type CheckedSettings = {
  /** The settings with every malformed one treated as unset, so the other checks can still run. */
  config: Config;
  /** Settings whose value is malformed; checks that use them are skipped. */
  malformed: ReadonlySet<SettingName>;
  results: CheckResult[];
};

const NAME = "Settings";
const WHAT_FOR: Record<(typeof SERVER_REQUIRED_SETTINGS)[number], string> = {
  NOTION_TOKEN: "the integration's secret",
  NOTION_CONTACTS_DB_ID: "the database leads go to",
  FORM_SECRET: "the key that signs /lead bodies",
};

/** Loads the settings as the server would, naming each one that is malformed or that the server needs and lacks. */
export function checkSettings(env: NodeJS.ProcessEnv, envFile: string | false | undefined): CheckedSettings {
  const options = envFile === undefined ? {} : { envFile };
  const results: CheckResult[] = [];
  const malformed = new Set<SettingName>();
  let config: Config;
  try {
    config = loadConfig(env, options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) {
      results.push({ name: NAME, outcome: "fail", detail: problem });
      // loadConfig starts each problem with the setting's name.
      const name = problem.split(" ", 1)[0] ?? "";
      if (name in settingsSchema.shape) malformed.add(name as SettingName);
    }
    // An empty value counts as unset, and the environment wins over .env.
    config = loadConfig({ ...env, ...Object.fromEntries([...malformed].map((name) => [name, ""])) }, options);
  }
  for (const name of SERVER_REQUIRED_SETTINGS) {
    if (config[name] === undefined && !malformed.has(name)) {
      results.push({
        name: NAME,
        outcome: "fail",
        detail: `${name} is not set: the server needs it (${WHAT_FOR[name]})`,
      });
    }
  }
  if (config.NOTION_DEALS_DB_ID === undefined && !malformed.has("NOTION_DEALS_DB_ID")) {
    results.push({
      name: NAME,
      outcome: "warn",
      detail: "NOTION_DEALS_DB_ID is not set: /notion-webhook needs it, so there are no deal-stage alerts",
    });
  }
  if (config.NOTION_WEBHOOK_SECRET === undefined) {
    results.push({
      name: NAME,
      outcome: "warn",
      detail:
        "NOTION_WEBHOOK_SECRET is not set: /notion-webhook answers only Notion's verification handshake until it is",
    });
  }
  if (config.FORM_SECRET_PREVIOUS !== undefined) {
    results.push({
      name: NAME,
      outcome: "warn",
      detail:
        config.FORM_SECRET_PREVIOUS === config.FORM_SECRET
          ? "FORM_SECRET_PREVIOUS is the same as FORM_SECRET: set FORM_SECRET to the new key, or remove FORM_SECRET_PREVIOUS"
          : "FORM_SECRET_PREVIOUS is set: /lead also takes bodies signed with the old key; remove it once every sender signs with FORM_SECRET",
    });
  }
  if (!results.some((result) => result.outcome === "fail")) {
    results.unshift({ name: NAME, outcome: "pass", detail: "everything the server needs is set and well-formed" });
  }
  return { config, malformed, results };
}
