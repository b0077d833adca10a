// `npm run import -- <file.csv>`: contacts from a CSV export into Notion.
//   npm run import -- contacts.csv                 import; progress on stderr, one summary line on stdout
//   npm run import -- contacts.csv --dry-run       the column mapping and what it would do; writes nothing
//   ... --source hubspot                           Source for rows that name none (default: import)
//   ... --date-format DD/MM/YYYY                   day-first dates (03/04/2026 = 3 April)
// Run it again after a crash or Ctrl-C: it goes on where it stopped.
import { setMaxListeners } from "node:events";
import { setFlagsFromString } from "node:v8";
import { runCli } from "../src/cli/run-cli.js";
import { createCliLogger } from "../src/cli/create-cli-logger.js";
import { loadConfig } from "../src/config/load-config.js";
import {
  EXIT_INTERRUPTED,
  IMPORT_REQUIRED_SETTINGS,
  IMPORT_USAGE,
  importCommand,
  ImportUsageError,
  parseImportArgs,
} from "../src/import/import-command.js";
import { ImportFileError } from "../src/import/import-file-error.js";
import { createImportProgress } from "../src/import/import-progress.js";

// Reading a large file makes garbage fast; V8's default heuristics let the heap grow to several times
// what is alive before collecting (a 50 MB file: 196 MB peak). Sized for memory instead, the same run
// peaks at about 120 MB (npm run bench -- import-memory), a little slower to read; the import's pace
// is Notion's rate limit anyway. The GC consults this flag as it runs, so setting it here takes effect.
setFlagsFromString("--optimize-for-size");

runCli(async () => {
  let args;
  try {
    args = parseImportArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ImportUsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  const config = loadConfig(process.env, { require: IMPORT_REQUIRED_SETTINGS });
  // The progress display is the report; log lines only when something goes wrong (or LOG_LEVEL asks for more).
  const logger = createCliLogger(config, config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
  const stopping = new AbortController();
  // Every contact in flight listens for Ctrl-C: many at once is normal, not a leak.
  setMaxListeners(0, stopping.signal);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      // A second Ctrl-C does not wait for the contacts in flight; the journal settles them next run.
      if (stopping.signal.aborted) process.exit(EXIT_INTERRUPTED);
      process.stderr.write("\nstopping after the contacts in flight (Ctrl-C again to stop now)\n");
      stopping.abort(new Error(`stopped by ${signal}`));
    });
  }
  try {
    return await importCommand(args, config, logger, {
      print: (line) => process.stdout.write(`${line}\n`),
      report: (line) => process.stderr.write(`${line}\n`),
      progress: createImportProgress(process.stderr),
      signal: stopping.signal,
    });
  } catch (error) {
    if (!(error instanceof ImportFileError)) throw error;
    process.stderr.write(`import: ${error.message}\n`);
    return 1;
  }
});
