import pino from "pino";
import { secretValues, type Config } from "../config/load-config.js";
import { createLogger, type Logger } from "../log/create-logger.js";

/**
 * The logger of a command a person runs: JSON lines on stderr, so stdout
 * holds only what the command prints for the person (or for a file, like
 * setup-notion's .env lines).
 */
export function createCliLogger(config: Config, level: string = config.LOG_LEVEL): Logger {
  return createLogger({ level, secrets: secretValues(config), destination: pino.destination({ dest: 2, sync: true }) });
}
