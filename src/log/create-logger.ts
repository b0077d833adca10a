import pino, { type DestinationStream, type Logger } from "pino";
import { SECRET_SETTINGS } from "../config/settings.js";

export type { Logger };

/** Secrets shorter than this are not searched for: they would mask ordinary words. */
const MIN_REDACTED_SECRET_LENGTH = 6;
const REDACTED = "[redacted]";

// Keys that hold secrets wherever they appear in a log object.
const REDACTED_PATHS = [
  "token",
  "secret",
  "authorization",
  "password",
  "webhookUrl",
  "slackWebhookUrl",
  "*.token",
  "*.secret",
  "*.authorization",
  "*.password",
  "*.webhookUrl",
  "headers.authorization",
  "*.headers.authorization",
  "headers.cookie",
  "*.headers.cookie",
  // Every secret setting, by its name: the settings' list is the one source.
  ...SECRET_SETTINGS.flatMap((name) => [name, `*.${name}`]),
];

export type CreateLoggerOptions = {
  level?: string;
  /** Values masked wherever they occur in a line, including inside messages and stack traces. */
  secrets?: readonly string[];
  /** @default stdout */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
};

/** JSON lines to stdout. Secrets are masked by key and, as a second net, by value. */
export function createLogger({
  level = "info",
  secrets = [],
  destination,
  base = {},
}: CreateLoggerOptions = {}): Logger {
  const masks = secretMasks(secrets);
  return pino(
    {
      level,
      base,
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
      hooks:
        masks.length === 0
          ? {}
          : { streamWrite: (line) => masks.reduce((out, mask) => out.replaceAll(mask, REDACTED), line) },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

// A secret can reach the line as written or JSON-escaped (a URL with "/" is
// not escaped by JSON, but a secret with quotes or backslashes is).
function secretMasks(secrets: readonly string[]): string[] {
  const masks = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_REDACTED_SECRET_LENGTH) continue;
    masks.add(secret);
    masks.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another is masked whole.
  return [...masks].sort((a, b) => b.length - a.length);
}
