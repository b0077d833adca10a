// `npm run jobs`: what the queues hold, what happened to one person's forms,
// and a way to send dead items again (see JOBS_HELP in src/jobs/jobs-command.ts).
import { runCli } from "../src/cli/run-cli.js";
import { wantsHelp } from "../src/cli/wants-help.js";
import { loadConfig } from "../src/config/load-config.js";
import { JOBS_HELP, jobsCommand } from "../src/jobs/jobs-command.js";

const print = (line: string) => void process.stdout.write(`${line}\n`);

runCli(async () => {
  if (wantsHelp()) return void print(JOBS_HELP);
  return jobsCommand(process.argv.slice(2), loadConfig(), { print });
});
