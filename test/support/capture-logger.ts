import { Writable } from "node:stream";
import { createLogger, type CreateLoggerOptions, type Logger } from "../../src/log/create-logger.js";

export type LogLine = { level: number; msg: string; [key: string]: unknown };

export type CapturedLogger = {
  logger: Logger;
  /** Every line written so far, as written. */
  raw: string[];
  /** Every line written so far, parsed. */
  lines(): LogLine[];
};

/** A real pino logger whose JSON lines are kept for assertions. */
export function captureLogger(options: Omit<CreateLoggerOptions, "destination"> = {}): CapturedLogger {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level: "debug", ...options, destination });
  return { logger, raw, lines: () => raw.map((line) => JSON.parse(line) as LogLine) };
}
