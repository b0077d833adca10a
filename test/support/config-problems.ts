import { ConfigError } from "../../src/config/config-error.js";

/** The problems of the ConfigError an action throws; fails when it throws none. */
export function problemsOf(action: () => unknown): readonly string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}
