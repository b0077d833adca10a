import { runCli } from "./cli/run-cli.js";
import { wantsHelp } from "./cli/wants-help.js";
import { loadConfig, secretValues } from "./config/load-config.js";
import { createLogger } from "./log/create-logger.js";
import { SERVER_REQUIRED_SETTINGS, SERVER_SETTINGS } from "./config/settings.js";
import { startCrmServer } from "./server/start-crm-server.js";

const HELP = `Usage: npm start (node dist/src/main.js)

Runs the HTTP server: POST /lead, /lead/<service>, /form (with OPTIONS), /notion-webhook, GET /healthz.
Reads the environment and, under it, .env in the working directory. Needs
NOTION_TOKEN, NOTION_CONTACTS_DB_ID and FORM_SECRET; every setting is in
docs/reference.md. It checks the Notion schema first and refuses to start on a mismatch.`;

runCli(async () => {
  if (wantsHelp()) return void process.stdout.write(`${HELP}\n`);
  const config = loadConfig(process.env, { require: SERVER_REQUIRED_SETTINGS, uses: SERVER_SETTINGS });
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
