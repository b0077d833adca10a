// `npm run report`: the weekly pipeline report.
//   npm run report                       stays running; posts on REPORT_CRON in DIGEST_TZ
//   npm run report -- --once             one report now; exit 0, or 1 with one line on stderr
//   ... --out chart.png                  also writes the chart there
import { runCli } from "../src/cli/run-cli.js";
import { wantsHelp } from "../src/cli/wants-help.js";
import { loadConfig, secretValues } from "../src/config/load-config.js";
import { createLogger } from "../src/log/create-logger.js";
import { parseReportArgs, REPORT_REQUIRED_SETTINGS, reportCommand } from "../src/report/report-command.js";

const HELP = `Usage:
  npm run report                       stays running; posts the pipeline report on REPORT_CRON in DIGEST_TZ
  npm run report -- --once             one report now; exits 0, or 1 with one line on stderr
  ... --out <file.png>                 also writes the chart (PNG) there

Needs NOTION_TOKEN and NOTION_DEALS_DB_ID; STAGE_PROBABILITIES, STUCK_DEAL_DAYS, REPORT_CRON, DIGEST_TZ,
SLACK_WEBHOOK_URL (or SLACK_BOT_TOKEN and SLACK_CHANNEL) and DATA_DIR apply. See docs/report.md.`;

runCli(async () => {
  if (wantsHelp()) return void process.stdout.write(`${HELP}\n`);
  const args = parseReportArgs(process.argv.slice(2));
  const config = loadConfig(process.env, { require: REPORT_REQUIRED_SETTINGS });
  const logger = createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config) });
  const stopping = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info({ signal }, "stopping the pipeline report");
      stopping.abort(new Error(`stopped by ${signal}`));
    });
  }
  return reportCommand(args, config, logger, {
    print: (text) => process.stdout.write(`${text}\n`),
    signal: stopping.signal,
  });
});
