import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { stringify } from "csv-stringify/sync";
import type { ContactFile, RejectedRow } from "./read-contact-file.js";

/** Rows turned into CSV and written at once. */
const ROWS_PER_WRITE = 500;

/** `<file>.rejects.csv`, next to the file. */
export function rejectsPathFor(file: string): string {
  return `${file.replace(/\.csv$/i, "")}.rejects.csv`;
}

/**
 * The rows not imported (`rejects`, in line order): their line, the reason,
 * then the row as it was (in the file's own delimiter), so it can be fixed
 * and imported again. Written a batch at a time as `rejects` yields them. No
 * rejects: no file (an old one from an earlier run is removed). Returns the
 * path written, if any.
 */
export function writeRejectsFile(
  file: string,
  { delimiter, headers }: Pick<ContactFile, "delimiter" | "headers">,
  rejects: Iterable<RejectedRow>,
): string | undefined {
  const path = rejectsPathFor(file);
  const toCsv = (rows: string[][]) =>
    stringify(rows, {
      delimiter,
      record_delimiter: "windows",
      // Spaces at either end survive a spreadsheet only inside quotes.
      quoted_match: /^\s|\s$/,
      // A cell starting with =, +, -, @ (or tab, CR) is prefixed with ' so a spreadsheet shows it rather than runs it.
      escape_formulas: true,
    });
  let fd: number | undefined;
  try {
    let batch: string[][] = [];
    const flush = () => {
      fd ??= openSync(path, "w");
      writeSync(fd, toCsv(batch));
      batch = [];
    };
    for (const reject of rejects) {
      if (fd === undefined && batch.length === 0) batch.push(["line", "reason", ...headers]);
      batch.push([String(reject.line), reject.reason, ...reject.values]);
      if (batch.length >= ROWS_PER_WRITE) flush();
    }
    if (batch.length > 0) flush();
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (fd === undefined) {
    rmSync(path, { force: true });
    return undefined;
  }
  return path;
}
