import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { leadSchema } from "../leads/lead.js";
import { mapColumns, type ColumnMapping, type ImportField } from "./contact-columns.js";
import { openContactSpill, type ContactSpill } from "./contact-spill.js";
import { ImportFileError } from "./import-file-error.js";
import { parseImportDate, type DateOrder } from "./parse-import-date.js";
import { readCsvRows } from "./read-csv-rows.js";

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

/** Rejected rows and unreadable dates kept in memory to show; the rest are counted (and rejects spilled). */
export const LISTED_PROBLEMS = 10;

export type ContactFile = {
  /** SHA-256 of the bytes: the journal's key, so an edited file is a new import. */
  hash: string;
  delimiter: "," | ";";
  headers: string[];
  mapping: ColumnMapping;
  /** Contacts of the file: one per email. */
  contactCount: number;
  /** Rows without a valid email: how many, and the first few (`spill.rejects()` has them all). */
  rejectCount: number;
  firstRejects: RejectedRow[];
  /** Dates it cannot read: how many, and the first few. */
  dateProblemCount: number;
  dateProblems: DateProblem[];
  /** Data rows read, and how many of them repeated an email seen earlier in the file. */
  rows: number;
  repeatedRows: number;
  /**
   * The contacts (in the order of their first line), each contact's row as it
   * was, and the rejected rows, on disk until `close()`.
   */
  spill: ContactSpill;
  close(): void;
};

const NOTES_SEPARATOR = "\n\n";
// A Pipedrive cell may hold several addresses; the first is the contact's.
const ADDRESS_SEPARATOR = /[,;\s]+/;

/**
 * Reads the export as a stream, row by row: each row is merged into its
 * email's contact in the spill, or rejected there, and let go. Memory holds
 * a chunk of the file and a batch of rows, whatever the file's size.
 */
export async function readContactFile(path: string, dateOrder: DateOrder): Promise<ContactFile> {
  const hash = createHash("sha256");
  const spill = openContactSpill();
  try {
    return await readInto(spill, path, hash, dateOrder);
  } catch (error) {
    spill.close();
    throw error;
  }
}

async function readInto(spill: ContactSpill, path: string, hash: Hash, dateOrder: DateOrder): Promise<ContactFile> {
  const csv = await readCsvRows(fileBytes(path, hash), path);
  const { headers, delimiter } = csv;
  const mapping = mapColumns(headers);
  if (mapping.email === undefined) {
    csv.close();
    const seen = headers.length === 0 ? "none (the file is empty)" : headers.map((h) => JSON.stringify(h)).join(", ");
    throw new ImportFileError(
      "no_email_column",
      `${path} has no email column (looked for Email, E-mail, Email Address, Email 1 or Primary Email); headers seen: ${seen}`,
    );
  }

  const firstRejects: RejectedRow[] = [];
  const dateProblems: DateProblem[] = [];
  let dateProblemCount = 0;
  let repeatedRows = 0;
  let dataRows = 0;
  const rejectRow = (row: RejectedRow) => {
    spill.addReject(row);
    if (firstRejects.length < LISTED_PROBLEMS) firstRejects.push(row);
  };
  for await (const { line, values: record } of csv.rows) {
    if (record.every((value) => value.trim() === "")) continue;
    dataRows++;
    const cell = (field: ImportField) => {
      const index = mapping[field];
      const value = index === undefined ? "" : (record[index] ?? "").trim();
      return value === "" ? undefined : value;
    };
    const rawEmail = cell("email");
    if (rawEmail === undefined) {
      rejectRow({ line, reason: "no email", values: record });
      continue;
    }
    const parsed = leadSchema.shape.email.safeParse(rawEmail.split(ADDRESS_SEPARATOR)[0] ?? "");
    if (!parsed.success) {
      rejectRow({ line, reason: `invalid email ${JSON.stringify(rawEmail)}`, values: record });
      continue;
    }
    const rawDate = cell("lastContacted");
    const lastContacted = rawDate === undefined ? undefined : parseImportDate(rawDate, dateOrder);
    if (rawDate !== undefined && lastContacted === undefined) {
      dateProblemCount++;
      if (dateProblems.length < LISTED_PROBLEMS) {
        dateProblems.push({ line, header: headers[mapping.lastContacted!]!.trim(), value: rawDate });
      }
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
    const earlier = spill.contactByEmail(fromRow.email);
    if (earlier === undefined) {
      spill.addContact(fromRow, record);
    } else {
      repeatedRows++;
      mergeInto(earlier, fromRow);
      spill.replaceContact(earlier);
    }
  }
  return {
    hash: hash.digest("hex"),
    delimiter,
    headers,
    mapping,
    contactCount: spill.contactCount(),
    rejectCount: spill.rejectCount(),
    firstRejects,
    dateProblemCount,
    dateProblems,
    rows: dataRows,
    repeatedRows,
    spill,
    close: () => spill.close(),
  };
}

/** The file's bytes as they are read, hashed on the way; an unreadable file is one clear error. */
async function* fileBytes(path: string, hash: Hash): AsyncGenerator<Buffer> {
  const stream = createReadStream(path);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      yield chunk;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    const reason = code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new ImportFileError("file_unreadable", `cannot read ${path}: ${reason}`, { cause: error });
  } finally {
    stream.destroy();
  }
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
