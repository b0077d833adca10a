import { parseArgs } from "node:util";
import { describeFailure } from "../notion/describe-failure.js";
import type { ConfigWith } from "../config/load-config.js";
import type { Logger } from "../log/create-logger.js";
import { notionGatewayFromConfig, type NotionGatewayOptions } from "../notion/notion-gateway.js";
import { bulkBudgetOf, drainTimeMs } from "../rate-limit/request-window.js";
import { openStore } from "../store/open-store.js";
import { describeColumnMapping } from "./contact-columns.js";
import type { ImportProgress } from "./import-progress.js";
import { DATE_FORMATS, type DateOrder } from "./parse-import-date.js";
import { formatDuration } from "../util/format-duration.js";
import { LISTED_PROBLEMS, type ContactFile } from "./read-contact-file.js";
import { runImport, type ImportOutcome } from "./run-import.js";
import { plural } from "../util/plural.js";

/** What the import cannot run without: it writes Contacts and nothing else. */
export const IMPORT_REQUIRED_SETTINGS = ["NOTION_TOKEN", "NOTION_CONTACTS_DB_ID"] as const;
export type ImportConfig = ConfigWith<(typeof IMPORT_REQUIRED_SETTINGS)[number]>;
/** Exit status of a run Ctrl-C stopped (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;
/** Date problems and rejected rows listed by line; the rest are counted. */
const LISTED = LISTED_PROBLEMS;

export const IMPORT_USAGE = `Usage: npm run import -- <file.csv> [--dry-run] [--force] [--status-map 'New=new lead,...'] [--source <name>] [--date-format MM/DD/YYYY|DD/MM/YYYY]

Brings contacts from a CSV export (HubSpot, Pipedrive, a spreadsheet) into the
Notion Contacts database: new emails become contacts, existing contacts get
their empty fields filled, nothing filled is overwritten.

  --dry-run                 read Notion and the file, print the column mapping and
                            what would happen, write nothing
  --force                   forget what earlier runs of this file into this database did, and start over
  --status-map <map>        the file's statuses as Status options, e.g. 'New=new lead,Open=new lead';
                            the dry run lists the file's statuses that Status does not have
  --source <name>           Source for rows that have none (default: import)
  --date-format <format>    how to read 03/04/2026: MM/DD/YYYY (default) or DD/MM/YYYY
  -h, --help                this text

Interrupted? Run the same command again: it goes on where it stopped. Two runs
of one file into one database at once: the second stops with one clear line.
Needs NOTION_TOKEN and NOTION_CONTACTS_DB_ID (environment or .env).`;

export type ImportArgs =
  | { help: true }
  | {
      help: false;
      file: string;
      dryRun: boolean;
      force: boolean;
      statusMap?: ReadonlyMap<string, string>;
      source?: string;
      dateOrder: DateOrder;
    };

/** Bad arguments: the message says what to type instead. */
export class ImportUsageError extends Error {
  override readonly name = "ImportUsageError";
}

export function parseImportArgs(argv: readonly string[]): ImportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        "dry-run": { type: "boolean", default: false },
        force: { type: "boolean", default: false },
        "status-map": { type: "string" },
        source: { type: "string" },
        "date-format": { type: "string", default: "MM/DD/YYYY" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new ImportUsageError(`${(error as Error).message}\n\n${IMPORT_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length !== 1) throw new ImportUsageError(`name one CSV file to import\n\n${IMPORT_USAGE}`);
  const dateOrder = DATE_FORMATS[values["date-format"].toUpperCase()];
  if (dateOrder === undefined) {
    throw new ImportUsageError(
      `--date-format must be ${Object.keys(DATE_FORMATS).join(" or ")}, not ${JSON.stringify(values["date-format"])}`,
    );
  }
  const statusMap = values["status-map"] === undefined ? undefined : parseStatusMap(values["status-map"]);
  return {
    help: false,
    file: positionals[0]!,
    dryRun: values["dry-run"],
    force: values.force,
    ...(statusMap !== undefined && { statusMap }),
    ...(values.source !== undefined && { source: values.source }),
    dateOrder,
  };
}

/** `New=new lead,Open=new lead`: the file's status (any case) → the Status option. */
export function parseStatusMap(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of text.split(",")) {
    const at = pair.indexOf("=");
    const from = pair.slice(0, at).trim();
    const to = pair.slice(at + 1).trim();
    if (at < 0 || from === "" || to === "") {
      throw new ImportUsageError(
        `--status-map takes pairs like 'New=new lead,Open=new lead', not ${JSON.stringify(pair.trim())}`,
      );
    }
    map.set(from.toLowerCase(), to);
  }
  return map;
}

export type ImportIo = {
  /** stdout: the summary line, and what a dry run would do. */
  print: (line: string) => void;
  /** stderr: the column mapping, problems, why a run stopped. */
  report: (line: string) => void;
  progress: ImportProgress;
  /** Ctrl-C: contacts in flight finish, no new one starts. */
  signal: AbortSignal;
  overrides?: Partial<Pick<NotionGatewayOptions, "backoffBaseMs" | "attemptTimeoutMs" | "maxAttempts" | "fetch">>;
};

/** `npm run import`: 0 when the whole file was processed; non-zero with the reason otherwise. */
export async function importCommand(
  args: Exclude<ImportArgs, { help: true }>,
  config: ImportConfig,
  logger: Logger,
  { print, report, progress, signal, overrides = {} }: ImportIo,
): Promise<number> {
  const db = openStore(config.DATA_DIR);
  // Thousands of small journal and bucket writes: NORMAL keeps each one safe from a crash or kill -9
  // without an fsync (4 ms here) per write stalling the pacing. After a power cut the last entries may
  // be gone; the rerun's read of every contact in Notion then finds what they had written.
  db.pragma("synchronous = NORMAL");
  try {
    // Bulk lane: a lead posted to the server meanwhile takes the next token.
    // Ctrl-C stops the requests still waiting for the window at once; those sent are answered.
    const notion = notionGatewayFromConfig(config, { db, logger, lane: "bulk", stopWaiting: signal, ...overrides });
    const describeFile = (file: ContactFile) => {
      const lines = [`Columns of ${args.file}:`, ...describeColumnMapping(file.headers, file.mapping)];
      if (file.dateProblems.length > 0) lines.push("Dates it cannot read (left empty):");
      for (const problem of file.dateProblems.slice(0, LISTED))
        lines.push(`  line ${problem.line}: ${JSON.stringify(problem.value)} in "${problem.header}" is not a date`);
      if (file.dateProblemCount > LISTED) lines.push(`  ... and ${file.dateProblemCount - LISTED} more`);
      return lines;
    };
    const outcome = await runImport(
      {
        file: args.file,
        dryRun: args.dryRun,
        force: args.force,
        dateOrder: args.dateOrder,
        ...(args.statusMap && { statusMap: args.statusMap }),
        ...(args.source && { source: args.source }),
      },
      {
        notion,
        db,
        contactsDatabaseId: config.NOTION_CONTACTS_DB_ID,
        logger,
        progress,
        signal,
        ...(!args.dryRun && { onFileRead: (file: ContactFile) => describeFile(file).forEach(report) }),
      },
    );
    const { file, counts } = outcome;

    if (args.dryRun) {
      const { plan } = outcome;
      const calls = plan.create + plan.update;
      const earlier = plan.alreadyDone > 0 ? `; ${plan.alreadyDone} done by an earlier run of this file` : "";
      const rejects = file.firstRejects.slice(0, LISTED).map((row) => `  line ${row.line}: ${row.reason}`);
      if (file.rejectCount > LISTED) rejects.push(`  ... and ${file.rejectCount - LISTED} more`);
      // The import is bulk work: it spends the budget less the reserve kept for live leads.
      const duration = formatDuration(drainTimeMs(calls, bulkBudgetOf(config.NOTION_REQUESTS_PER_MINUTE)) / 1000);
      for (const line of [
        ...describeFile(file),
        `${file.rows} rows, ${plural(file.contactCount, "contact")}${file.repeatedRows > 0 ? ` (${plural(file.repeatedRows, "row")} repeating an email, merged into its contact)` : ""}`,
        outcome.indexQueries === 0
          ? "Notion not read: the file has no contact to look up"
          : `${plural(outcome.notionContacts, "contact")} already in Notion (read in ${plural(outcome.indexQueries, "query", "queries")})`,
        `Would create ${plan.create}, update ${plan.update} (fill empty fields, later Last Contacted), leave ${plan.unchanged} unchanged, reject ${plural(counts.rejected, "row")}${earlier}`,
        ...(rejects.length > 0
          ? ["Rows it would not import (written to the rejects file on a real run):", ...rejects]
          : []),
        ...(outcome.unknownStatuses !== undefined && outcome.unknownStatuses.length > 0
          ? [
              `Statuses in the file that Status does not have (they would become new options; map them with --status-map 'Old=new lead'): ${outcome.unknownStatuses.map((status) => JSON.stringify(status)).join(", ")}`,
            ]
          : []),
        `That is ${plural(calls, "Notion call")}, about ${duration} at NOTION_REQUESTS_PER_MINUTE=${config.NOTION_REQUESTS_PER_MINUTE}`,
        "Dry run: nothing was written.",
      ])
        print(line);
      return 0;
    }

    if (outcome.rejectsPath !== undefined) report(`${counts.rejected} rows not imported: see ${outcome.rejectsPath}`);
    const stop = outcome.stop;
    if (stop !== undefined) {
      const soFar = `${counts.created} created and ${counts.updated} updated so far`;
      const again = "run the same command again to go on where it stopped";
      if (stop.reason === "creates_refused") {
        report(
          `import stopped: Notion refused to create a contact (403 restricted_resource). Either the workspace is on the Free plan with more than one member and has used its 1,000 blocks (upgrade the plan or delete pages), or the integration lacks the Insert content capability (Notion: Settings -> Connections -> your integration -> Capabilities). ${soFar}; fix the cause, then ${again}.`,
        );
      } else if (stop.reason === "interrupted") {
        report(`import interrupted: ${soFar}; ${again}.`);
      } else {
        report(`import stopped: ${describeFailure(stop.error)} ${soFar}; ${again}.`);
      }
    }
    print(summaryLine(outcome));
    if (stop === undefined) return 0;
    return stop.reason === "interrupted" ? EXIT_INTERRUPTED : 1;
  } finally {
    db.close();
  }
}

export function summaryLine({ counts }: Pick<ImportOutcome, "counts">): string {
  return `import: created ${counts.created}, updated ${counts.updated}, unchanged ${counts.unchanged}, rejected ${counts.rejected}`;
}
