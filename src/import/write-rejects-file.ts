import { rmSync, writeFileSync } from "node:fs";
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
  const line = (cells: readonly (string | number)[]) =>
    cells.map((cell) => quote(String(cell), delimiter)).join(delimiter);
  const rows = [...rejects]
    .sort((a, b) => a.line - b.line)
    .map((reject) => line([reject.line, reject.reason, ...reject.values]));
  writeFileSync(path, `${[line(["line", "reason", ...headers]), ...rows].join("\r\n")}\r\n`);
  return path;
}

function quote(cell: string, delimiter: string): string {
  return cell.includes('"') || cell.includes(delimiter) || /[\r\n]/.test(cell) || cell !== cell.trim()
    ? `"${cell.replaceAll('"', '""')}"`
    : cell;
}
