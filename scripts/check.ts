// `npm run check`: validates the settings, Notion (reachable, token, each
// database's schema), the Slack URL's form and the state file, and prints a
// report. Exit status 0 only when nothing is wrong (warnings allowed).
import { createCliLogger } from "../src/cli/create-cli-logger.js";
import { runCli } from "../src/cli/run-cli.js";
import { wantsHelp } from "../src/cli/wants-help.js";
import { passed } from "../src/check/check-result.js";
import { formatCheckReport } from "../src/check/format-check-report.js";
import { runChecks } from "../src/check/run-checks.js";

const HELP = `Usage: npm run check

Checks the settings (environment, then .env), that Notion answers and accepts
NOTION_TOKEN, what the integration may read, each database's schema, the Slack
URL's form, the Turnstile verify URL (when TURNSTILE_SECRET is set) and the
state file in DATA_DIR. Prints one line per finding:
✓ fine, ! a warning, ✗ a problem, - not checked. Exits 0 only when there is no ✗.`;

runCli(async () => {
  if (wantsHelp()) return void process.stdout.write(`${HELP}\n`);
  const results = await runChecks(process.env, {
    // The report says what failed; the gateway's retry warnings would only repeat it.
    logger: (config) =>
      createCliLogger(config, ["debug", "trace"].includes(config.LOG_LEVEL) ? config.LOG_LEVEL : "error"),
  });
  process.stdout.write(formatCheckReport(results));
  return passed(results) ? 0 : 1;
});
