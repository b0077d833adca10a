import { rmSync, writeFileSync } from "node:fs";
import { stringify } from "csv-stringify/sync";
import type { ContactFile, RejectedRow } from "./read-contact-file.js";

/** `<file>.rejects.csv`, next to the file. */
export function rejectsPathFor(file: string): string {
  return `${file.replace(/\.csv$/i, "")}.rejects.csv`;
}

/**
 * The rows not imported: their line, the reason, then the row as it was (in
 * the file's own delimiter), so it can be fixed and imported again. No
 * rejects: no file (an old one from an earlier run is removed). Returns the
 * path written, if any.
 */
export function writeRejectsFile(
  file: string,
  contactFile: ContactFile,
  rejects: readonly RejectedRow[],
): string | undefined {
  const path = rejectsPathFor(file);
  if (rejects.length === 0) {
    rmSync(path, { force: true });
    return undefined;
  }
  const { delimiter, headers } = contactFile;
  const rows = [...rejects]
    .sort((a, b) => a.line - b.line)
    .map((reject) => [String(reject.line), reject.reason, ...reject.values]);
  const csv = stringify([["line", "reason", ...headers], ...rows], {
    delimiter,
    record_delimiter: "windows",
    // Spaces at either end survive a spreadsheet only inside quotes.
    quoted_match: /^\s|\s$/,
    // A cell starting with =, +, -, @ (or tab, CR) is prefixed with ' so a spreadsheet shows it rather than runs it.
    escape_formulas: true,
  });
  writeFileSync(path, csv);
  return path;
}
