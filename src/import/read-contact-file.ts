import { parse } from "csv-parse/sync";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { leadSchema } from "../leads/lead.js";
import { mapColumns, type ColumnMapping, type ImportField } from "./contact-columns.js";
import { ImportFileError } from "./import-file-error.js";
import { parseImportDate, type DateOrder } from "./parse-import-date.js";

/** One contact of the file: every row with its email merged, at the line of the first. */
export type ImportContact = {
  line: number;
  email: string;
  name?: string;
  company?: string;
  notes?: string;
  source?: string;
  status?: string;
  /** `YYYY-MM-DD` or an ISO instant. */
  lastContacted?: string;
};
export type RejectedRow = { line: number; reason: string; values: readonly string[] };
export type DateProblem = { line: number; header: string; value: string };

export type ContactFile = {
  /** SHA-256 of the bytes: the journal's key, so an edited file is a new import. */
  hash: string;
  delimiter: "," | ";";
  headers: string[];
  mapping: ColumnMapping;
  contacts: ImportContact[];
  rejects: RejectedRow[];
  /** Each contact's row as it was (by its line), for the rejects file if Notion refuses it. */
  rowsByLine: Map<number, readonly string[]>;
  dateProblems: DateProblem[];
  /** Data rows read, and how many of them repeated an email seen earlier in the file. */
  rows: number;
  repeatedRows: number;
};

const NOTES_SEPARATOR = "\n\n";
// A Pipedrive cell may hold several addresses; the first is the contact's.
const ADDRESS_SEPARATOR = /[,;\s]+/;

export function readContactFile(path: string, dateOrder: DateOrder): ContactFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new ImportFileError("file_unreadable", `cannot read ${path}: ${reason}`, { cause: error });
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    throw new ImportFileError(
      "file_unreadable",
      `cannot read ${path}: it is not UTF-8 text (export it again as "CSV UTF-8")`,
      { cause: error },
    );
  }
  // One kind of line break: csv-parse miscounts lines after a quoted CRLF, and Notion keeps \n anyway.
  text = text.replace(/\r\n?/g, "\n");
  const delimiter = sniffDelimiter(text);
  let records: Array<{ record: string[]; info: { lines: number; empty_lines: number } }>;
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as typeof records;
  } catch (error) {
    throw new ImportFileError("file_unreadable", `cannot read ${path} as CSV: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const [header, ...rows] = records;
  const headers = header?.record ?? [];
  const mapping = mapColumns(headers);
  if (mapping.email === undefined) {
    const seen = headers.length === 0 ? "none (the file is empty)" : headers.map((h) => JSON.stringify(h)).join(", ");
    throw new ImportFileError(
      "no_email_column",
      `${path} has no email column (looked for Email, E-mail, Email Address, Email 1 or Primary Email); headers seen: ${seen}`,
    );
  }

  const byEmail = new Map<string, ImportContact>();
  const rejects: RejectedRow[] = [];
  const rowsByLine = new Map<number, readonly string[]>();
  const dateProblems: DateProblem[] = [];
  let repeatedRows = 0;
  let dataRows = 0;
  let previous = header!.info;
  for (const { record, info } of rows) {
    // csv-parse counts the line a record ends on; a quoted newline makes a record span lines.
    const line = previous.lines + 1 + (info.empty_lines - previous.empty_lines);
    previous = info;
    if (record.every((value) => value.trim() === "")) continue;
    dataRows++;
    const cell = (field: ImportField) => {
      const index = mapping[field];
      const value = index === undefined ? "" : (record[index] ?? "").trim();
      return value === "" ? undefined : value;
    };
    const rawEmail = cell("email");
    if (rawEmail === undefined) {
      rejects.push({ line, reason: "no email", values: record });
      continue;
    }
    const parsed = leadSchema.shape.email.safeParse(rawEmail.split(ADDRESS_SEPARATOR)[0] ?? "");
    if (!parsed.success) {
      rejects.push({ line, reason: `invalid email ${JSON.stringify(rawEmail)}`, values: record });
      continue;
    }
    const rawDate = cell("lastContacted");
    const lastContacted = rawDate === undefined ? undefined : parseImportDate(rawDate, dateOrder);
    if (rawDate !== undefined && lastContacted === undefined) {
      dateProblems.push({ line, header: headers[mapping.lastContacted!]!.trim(), value: rawDate });
    }
    const fromRow: ImportContact = {
      line,
      email: parsed.data,
      ...defined("name", cell("name") ?? joinName(cell("firstName"), cell("lastName"))),
      ...defined("company", cell("company")),
      ...defined("notes", cell("notes")),
      ...defined("source", cell("source")),
      ...defined("status", cell("status")),
      ...defined("lastContacted", lastContacted),
    };
    const earlier = byEmail.get(fromRow.email);
    if (earlier === undefined) {
      byEmail.set(fromRow.email, fromRow);
      rowsByLine.set(line, record);
    } else {
      repeatedRows++;
      mergeInto(earlier, fromRow);
    }
  }
  return {
    hash: createHash("sha256").update(bytes).digest("hex"),
    delimiter,
    headers,
    mapping,
    contacts: [...byEmail.values()],
    rejects,
    rowsByLine,
    dateProblems,
    rows: dataRows,
    repeatedRows,
  };
}

/** Semicolons in the header line outnumber commas: a European spreadsheet's CSV. */
function sniffDelimiter(text: string): "," | ";" {
  const firstLine = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  const outsideQuotes = firstLine.replace(/"[^"]*"/g, "");
  const count = (char: string) => outsideQuotes.split(char).length - 1;
  return count(";") > count(",") ? ";" : ",";
}

function joinName(first: string | undefined, last: string | undefined): string | undefined {
  const name = [first, last].filter((part) => part !== undefined).join(" ");
  return name === "" ? undefined : name;
}

/** A repeated email: the first value of each field wins, notes add up, Last Contacted is the latest. */
function mergeInto(contact: ImportContact, later: ImportContact): void {
  for (const key of ["name", "company", "source", "status"] as const) {
    if (contact[key] === undefined && later[key] !== undefined) contact[key] = later[key];
  }
  if (later.notes !== undefined && !(contact.notes ?? "").split(NOTES_SEPARATOR).includes(later.notes)) {
    contact.notes = contact.notes === undefined ? later.notes : `${contact.notes}${NOTES_SEPARATOR}${later.notes}`;
  }
  if (later.lastContacted !== undefined && isLater(later.lastContacted, contact.lastContacted)) {
    contact.lastContacted = later.lastContacted;
  }
}

/** Whether date `a` is after `b` (an absent `b` is earlier than anything). */
export function isLater(a: string, b: string | undefined): boolean {
  return b === undefined || Date.parse(a) > Date.parse(b);
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
