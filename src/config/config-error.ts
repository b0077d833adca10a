/** A setting is missing or malformed; the message names it and never echoes its value. */
export class ConfigError extends Error {
  readonly code = "config_invalid";
  override readonly name = "ConfigError";

  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}
