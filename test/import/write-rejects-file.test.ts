import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { ContactFile } from "../../src/import/read-contact-file.js";
import { rejectsPathFor, writeRejectsFile } from "../../src/import/write-rejects-file.js";
import { makeTempDir } from "../support/temp-dir.js";

let dir: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  dir = makeTempDir("crm-rejects-");
});
afterEach(() => dir.remove());

const fileOf = (delimiter: "," | ";", headers: string[]) => ({ delimiter, headers }) as unknown as ContactFile;

it("prefixes cells a spreadsheet would run as a formula (=, +, -, @) so they are shown, not run", () => {
  const path = join(dir.path, "evil.csv");
  writeRejectsFile(path, fileOf(",", ["Email", "Name"]), [
    { line: 2, reason: "no email", values: ["", '=HYPERLINK("http://x.example","click")'] },
    { line: 3, reason: "no email", values: ["", "+1 555"] },
    { line: 4, reason: "no email", values: ["-2+3", "@SUM(A1)"] },
  ]);
  const rows = parse(readFileSync(rejectsPathFor(path), "utf8")) as string[][];
  expect(rows).toEqual([
    ["line", "reason", "Email", "Name"],
    ["2", "no email", "", `'=HYPERLINK("http://x.example","click")`],
    ["3", "no email", "", "'+1 555"],
    ["4", "no email", "'-2+3", "'@SUM(A1)"],
  ]);
});

it("writes in the file's own delimiter, quotes what needs it, and reads back as it was", () => {
  const path = join(dir.path, "semi.csv");
  const values = ["ann@example.com", "Lee; Ann", " padded ", 'say "hi"\nbye'];
  writeRejectsFile(path, fileOf(";", ["Email", "Name", "Company", "Notes"]), [
    { line: 9, reason: "refused by Notion", values },
  ]);
  const text = readFileSync(rejectsPathFor(path), "utf8");
  expect(text.split("\r\n")[0]).toBe("line;reason;Email;Name;Company;Notes");
  expect(text).toContain('" padded "');
  expect(parse(text, { delimiter: ";" })).toEqual([
    ["line", "reason", "Email", "Name", "Company", "Notes"],
    ["9", "refused by Notion", ...values],
  ]);
});
