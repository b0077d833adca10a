import { join } from "node:path";
import { ConfigError } from "./config-error.js";
import { readEnvFile } from "./read-env-file.js";
import { requestsPerMinuteOf, SECRET_SETTINGS, settingsSchema, type SettingName, type Settings } from "./settings.js";

/** The settings, with Notion's budget resolved from its two names. */
export type Config = Omit<Settings, "NOTION_REQUESTS_PER_MINUTE"> & { NOTION_REQUESTS_PER_MINUTE: number };
/** The config with the settings a command asked for known to be present. */
export type ConfigWith<Required extends SettingName> = Config & { [Name in Required]-?: NonNullable<Config[Name]> };

export type LoadConfigOptions<Required extends SettingName> = {
  /** Settings this command cannot run without. */
  require?: readonly Required[];
  /** A dotenv file read under the environment (the environment wins). @default "<cwd>/.env" */
  envFile?: string | false;
  /**
   * The settings this command reads. Only these are validated; any other is
   * taken as unset (its default), so a slip in a setting a command never
   * reads cannot stop it. @default every setting
   */
  uses?: readonly SettingName[];
};

/**
 * The only reader of the environment. Reports every missing or malformed
 * setting at once, one line each, naming the setting and never its value.
 */
export function loadConfig<Required extends SettingName = never>(
  env: NodeJS.ProcessEnv = process.env,
  { require = [], envFile = join(process.cwd(), ".env"), uses }: LoadConfigOptions<Required> = {},
): ConfigWith<Required> {
  const merged = { ...(envFile === false ? {} : readEnvFile(envFile)), ...env };
  const read = (name: string) => uses === undefined || (uses as readonly string[]).includes(name);
  const input = Object.fromEntries(
    Object.keys(settingsSchema.shape).map((name) => [name, read(name) ? emptyToUndefined(merged[name]) : undefined]),
  );
  const parsed = settingsSchema.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`);
  for (const name of require) {
    if (input[name] === undefined) problems.push(`${name} is required but not set`);
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return { ...parsed.data, NOTION_REQUESTS_PER_MINUTE: requestsPerMinuteOf(parsed.data) } as ConfigWith<Required>;
}

/** The secret values of a config, for the logger to redact wherever they appear. */
export function secretValues(config: Config): string[] {
  return SECRET_SETTINGS.map((name) => config[name]).filter((value): value is string => typeof value === "string");
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
