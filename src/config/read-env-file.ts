import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";

/** Variables from a dotenv file, or none when the file does not exist. */
export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const parsed = parseEnv(readFileSync(path, "utf8"));
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
