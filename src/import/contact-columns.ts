/** The fields a CSV export can give a contact. */
export type ImportField =
  "email" | "name" | "firstName" | "lastName" | "company" | "notes" | "source" | "status" | "lastContacted";

/**
 * Header names per field, compared trimmed and case-insensitively. HubSpot's
 * and Pipedrive's exports use some of each; the order is the preference when
 * a file has two that fit.
 */
export const COLUMN_HEADERS: Readonly<Record<ImportField, readonly string[]>> = {
  email: ["email", "e-mail", "email address", "email 1", "primary email"],
  name: ["name", "full name", "contact name"],
  firstName: ["first name"],
  lastName: ["last name"],
  company: ["company", "company name", "organization", "organization - name"],
  notes: ["notes", "message", "description"],
  source: ["source", "lead source", "original source"],
  status: ["status", "lead status"],
  lastContacted: ["last contacted", "last activity date", "last contacted date"],
};

// Pipedrive labels its email columns by kind ("Email - Work"); such a column is
// used only when none of the names above is there.
const EMAIL_FALLBACK = /^e-?mail\b/;

/** Field -> column index in the file. */
export type ColumnMapping = Partial<Record<ImportField, number>>;

export function mapColumns(headers: readonly string[]): ColumnMapping {
  // Some Pipedrive exports prefix every column of a person with "Person - ".
  const normalised = headers.map((header) =>
    header
      .trim()
      .toLowerCase()
      .replace(/\s+/g, " ")
      .replace(/^person - /, ""),
  );
  const mapping: ColumnMapping = {};
  for (const field of Object.keys(COLUMN_HEADERS) as ImportField[]) {
    for (const name of COLUMN_HEADERS[field]) {
      const index = normalised.indexOf(name);
      if (index !== -1) {
        mapping[field] = index;
        break;
      }
    }
  }
  if (mapping.email === undefined) {
    const index = normalised.findIndex((header) => EMAIL_FALLBACK.test(header));
    if (index !== -1) mapping.email = index;
  }
  return mapping;
}

const FIELD_LABELS: Readonly<Record<ImportField, string>> = {
  email: "Email",
  name: "Name",
  firstName: "Name (first)",
  lastName: "Name (last)",
  company: "Company",
  notes: "Notes",
  source: "Source",
  status: "Status",
  lastContacted: "Last Contacted",
};

/** One line per field: which column of the file fills it, for --dry-run and the log. */
export function describeColumnMapping(headers: readonly string[], mapping: ColumnMapping): string[] {
  const lines = (Object.keys(FIELD_LABELS) as ImportField[])
    .filter((field) => mapping[field] !== undefined)
    .filter((field) => !((field === "firstName" || field === "lastName") && mapping.name !== undefined))
    .map((field) => `  ${JSON.stringify(headers[mapping[field]!]!.trim())} -> ${FIELD_LABELS[field]}`);
  const used = new Set(Object.values(mapping));
  const ignored = headers.filter((_, index) => !used.has(index)).map((header) => JSON.stringify(header.trim()));
  if (ignored.length > 0) lines.push(`  ignored: ${ignored.join(", ")}`);
  return lines;
}
