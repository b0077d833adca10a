import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ImportFileError } from "../../src/import/import-file-error.js";
import { parseImportDate } from "../../src/import/parse-import-date.js";
import { readContactFile } from "../../src/import/read-contact-file.js";
import { makeTempDir } from "../support/temp-dir.js";

let dir: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => dir.remove());

/** The file read, with its spilled contacts and rejects brought back as arrays. */
async function read(content: string | Buffer, order: "month-first" | "day-first" = "month-first") {
  const path = join(dir.path, "contacts.csv");
  writeFileSync(path, content);
  const file = await readContactFile(path, order);
  try {
    return { ...file, contacts: [...file.spill.contacts()], rejects: [...file.spill.rejects()] };
  } finally {
    file.close();
  }
}

describe("readContactFile", () => {
  it("reads a semicolon file from a European spreadsheet, commas inside values included", async () => {
    const file = await read("Name;E-Mail;Company;Notes\nMüller, Hans;Hans@Example.de;Müller GmbH;1,5 Mio Umsatz\n");
    expect(file.delimiter).toBe(";");
    expect(file.contacts).toEqual([
      { line: 2, email: "hans@example.de", name: "Müller, Hans", company: "Müller GmbH", notes: "1,5 Mio Umsatz" },
    ]);
  });

  it("reads a Pipedrive people export as it comes", async () => {
    const file = await read(
      [
        "Name,Organization - Name,Email,Phone,Label",
        "Ivy Park,Park & Co,ivy@park.example,+1 555 0100,Hot lead",
        '"Jon ""JJ"" Jones",,"jon@jones.example, jj@home.example",,',
      ].join("\n"),
    );
    expect(file.contacts).toEqual([
      { line: 2, email: "ivy@park.example", name: "Ivy Park", company: "Park & Co" },
      // A cell with several addresses: the first is the contact's.
      { line: 3, email: "jon@jones.example", name: 'Jon "JJ" Jones' },
    ]);
  });

  it("uses Pipedrive's labelled email column when no plain email column is there", async () => {
    const file = await read("Name,Email - Work,Email - Home\nKim,kim@work.example,kim@home.example\n");
    expect(file.contacts.map((contact) => contact.email)).toEqual(["kim@work.example"]);
  });

  it("reads Pipedrive columns prefixed with Person", async () => {
    const file = await read("Person - Name,Person - Email - Work,Person - Organization\nLea,lea@x.example,Lea AG\n");
    expect(file.contacts).toEqual([{ line: 2, email: "lea@x.example", name: "Lea", company: "Lea AG" }]);
  });

  it("recognises headers whatever their case and spacing", async () => {
    const file = await read(
      " FULL NAME ,EMAIL ADDRESS,Lead Source,Status,Last Contacted Date\nLu,lu@x.example,Fair,Customer,2026-01-05\n",
    );
    expect(file.contacts).toEqual([
      { line: 2, email: "lu@x.example", name: "Lu", source: "Fair", status: "Customer", lastContacted: "2026-01-05" },
    ]);
  });

  it("merges repeated emails: first value of each field, notes added up, the latest Last Contacted", async () => {
    const file = await read(
      [
        "Email,Name,Company,Notes,Last Contacted",
        "mo@x.example,,First Co,one,2026-02-01",
        "MO@x.example,Mo,Second Co,two,2026-03-01",
        "mo@x.example,Other,,one,2026-01-01",
      ].join("\n"),
    );
    expect(file.contacts).toEqual([
      {
        line: 2,
        email: "mo@x.example",
        name: "Mo",
        company: "First Co",
        notes: "one\n\ntwo",
        lastContacted: "2026-03-01",
      },
    ]);
    expect(file.repeatedRows).toBe(2);
  });

  it("counts lines as an editor shows them, across quoted newlines and blank lines", async () => {
    const file = await read('Email,Notes\na@x.example,"two\nlines"\n\nnot an email,x\nb@x.example,y\n');
    expect(file.contacts.map((contact) => [contact.line, contact.email])).toEqual([
      [2, "a@x.example"],
      [6, "b@x.example"],
    ]);
    expect(file.rejects).toEqual([{ line: 5, reason: 'invalid email "not an email"', values: ["not an email", "x"] }]);
  });

  it("keeps every rejected row and unreadable date on disk, and only the first ten in memory to list", async () => {
    const bad = Array.from({ length: 12 }, (_, i) => `not-an-email-${i},2026-13-0${i % 9}`);
    const dates = Array.from({ length: 12 }, (_, i) => `d${i}@x.example,someday ${i}`);
    const file = await read(["Email,Last Contacted", ...bad, ...dates].join("\n"));
    expect(file.rejectCount).toBe(12);
    expect(file.rejects.map((row) => row.line)).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
    expect(file.firstRejects).toEqual(file.rejects.slice(0, 10));
    expect(file.dateProblemCount).toBe(12);
    expect(file.dateProblems.map((problem) => problem.line)).toEqual(Array.from({ length: 10 }, (_, i) => i + 14));
    expect(file.contactCount).toBe(12);
  });

  it("reads day-first dates when told to, and reports a date it cannot read instead of guessing", async () => {
    const content = "Email,Last Contacted\na@x.example,03/04/2026\nb@x.example,31/12/2026\n";
    expect((await read(content, "day-first")).contacts.map((contact) => contact.lastContacted)).toEqual([
      "2026-04-03",
      "2026-12-31",
    ]);
    const monthFirst = await read(content, "month-first");
    expect(monthFirst.contacts.map((contact) => contact.lastContacted)).toEqual(["2026-03-04", undefined]);
    expect(monthFirst.dateProblems).toEqual([{ line: 3, header: "Last Contacted", value: "31/12/2026" }]);
  });

  it("names the headers it saw when no column holds emails", async () => {
    expect.assertions(2);
    try {
      await read("Name,Phone,Company\nAnn,123,Acme\n");
    } catch (error) {
      expect((error as ImportFileError).code).toBe("no_email_column");
      expect((error as Error).message).toContain('headers seen: "Name", "Phone", "Company"');
    }
  });

  it("refuses a file that is not UTF-8, saying how to export it", async () => {
    const latin1 = Buffer.from("Email,Name\nrene@x.example,Ren\xe9\n", "latin1");
    await expect(read(latin1)).rejects.toThrow(/not UTF-8.*CSV UTF-8/);
  });
});

describe("parseImportDate", () => {
  it.each([
    ["2026-03-04", "2026-03-04"],
    ["2026-03-04T14:08:00Z", "2026-03-04T14:08:00.000Z"],
    ["2026-03-04T14:08:00.250+02:00", "2026-03-04T12:08:00.250Z"],
    ["2026-03-04 14:08", "2026-03-04T14:08:00.000Z"],
    ["2026-03-04 14:08:09", "2026-03-04T14:08:09.000Z"],
    ["03/04/2026", "2026-03-04"],
    ["3/4/2026 2:08 PM", "2026-03-04T14:08:00.000Z"],
    ["12/31/2026 12:00 AM", "2026-12-31T00:00:00.000Z"],
    ["03.04.2026", "2026-03-04"],
  ])("reads %s month-first as %s", (text, expected) => {
    expect(parseImportDate(text, "month-first")).toBe(expected);
  });

  it.each([
    ["03/04/2026", "2026-04-03"],
    ["04.03.2026 09:30", "2026-03-04T09:30:00.000Z"],
  ])("reads %s day-first as %s", (text, expected) => {
    expect(parseImportDate(text, "day-first")).toBe(expected);
  });

  it.each(["yesterday", "2026-02-30", "13/01/2026", "03/04/26", "2026-03-04 25:00", "March 4, 2026", ""])(
    "does not guess %j",
    (text) => {
      expect(parseImportDate(text, "month-first")).toBeUndefined();
    },
  );
});
