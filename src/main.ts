import { runCli } from "./cli/run-cli.js";
import { loadConfig, secretValues } from "./config/load-config.js";
import { createLogger } from "./log/create-logger.js";
import { SERVER_REQUIRED_SETTINGS, startCrmServer } from "./server/start-crm-server.js";

runCli(async () => {
  const config = loadConfig(process.env, { require: SERVER_REQUIRED_SETTINGS });
  const logger = createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config) });
  const server = await startCrmServer(config, logger);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info({ signal }, "shutting down");
      server.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
});
