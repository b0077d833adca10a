// `npm run stale-leads`: the stale-lead digest.
//   npm run stale-leads                  stays running; fires on DIGEST_CRON in DIGEST_TZ
//   npm run stale-leads -- --once        one digest now; exit 0, or 1 with one line on stderr
//   ... --dry-run                        prints the message on stdout instead of posting (logs go to stderr)
//   ... --force                          posts even if today's digest was sent already
import pino from "pino";
import { runCli } from "../src/cli/run-cli.js";
import { wantsHelp } from "../src/cli/wants-help.js";
import { loadConfig, secretValues } from "../src/config/load-config.js";
import { DIGEST_REQUIRED_SETTINGS, parseStaleLeadsArgs, staleLeadsCommand } from "../src/digest/stale-leads-command.js";
import { createLogger } from "../src/log/create-logger.js";

const HELP = `Usage:
  npm run stale-leads                  stays running; posts the digest on DIGEST_CRON in DIGEST_TZ
  npm run stale-leads -- --once        one digest now; exits 0, or 1 with one line on stderr
  ... --dry-run                        prints the message on stdout instead of posting (logs go to stderr)
  ... --force                          posts even if today's digest was sent already

Needs NOTION_TOKEN and NOTION_CONTACTS_DB_ID; STALE_LEAD_DAYS, SLACK_WEBHOOK_URL and DATA_DIR apply.`;

runCli(async () => {
  if (wantsHelp()) return void process.stdout.write(`${HELP}\n`);
  const args = parseStaleLeadsArgs(process.argv.slice(2));
  const config = loadConfig(process.env, { require: DIGEST_REQUIRED_SETTINGS });
  // A dry run's stdout is the message alone, so it can be piped or diffed.
  const logger = createLogger({
    level: config.LOG_LEVEL,
    secrets: secretValues(config),
    ...(args.dryRun && { destination: pino.destination({ dest: 2, sync: true }) }),
  });
  const stopping = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info({ signal }, "stopping the stale-lead digest");
      stopping.abort(new Error(`stopped by ${signal}`));
    });
  }
  return staleLeadsCommand(args, config, logger, {
    print: (text) => process.stdout.write(`${text}\n`),
    signal: stopping.signal,
  });
});
