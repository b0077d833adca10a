import { describe, expect, it } from "vitest";
import { readCsvRows, type CsvRow } from "../../src/import/read-csv-rows.js";
import { HUBSPOT_CSV } from "./import-kit.js";

const ROW_BYTES = Buffer.from("Ann,ann@x.example,Met at the fair\n");

/** An export that never ends, as bytes pulled one chunk at a time; it counts the chunks pulled and sees its end. */
function endlessExport() {
  const source = { pulled: 0, closed: false };
  async function* bytes(): AsyncGenerator<Buffer> {
    try {
      yield Buffer.from("Name,Email,Notes\n");
      for (;;) {
        source.pulled++;
        yield Buffer.concat(Array.from({ length: 100 }, () => ROW_BYTES));
      }
    } finally {
      source.closed = true;
    }
  }
  return { source, bytes: bytes() };
}

async function allRows(chunks: Iterable<Uint8Array>): Promise<{ headers: string[]; rows: CsvRow[] }> {
  const csv = await readCsvRows(
    (async function* () {
      yield* chunks;
    })(),
    "test.csv",
  );
  const rows: CsvRow[] = [];
  for await (const row of csv.rows) rows.push(row);
  return { headers: csv.headers, rows };
}

describe("readCsvRows", () => {
  it("yields the first rows of an export that never ends, having pulled only a few chunks, and closes it when left", async () => {
    // The whole file in memory first (readFileSync, a sync parse) would never get here.
    const { source, bytes } = endlessExport();
    const csv = await readCsvRows(bytes, "endless.csv");
    const first: CsvRow[] = [];
    for await (const row of csv.rows) {
      first.push(row);
      if (first.length === 3) break;
    }

    expect(csv.headers).toEqual(["Name", "Email", "Notes"]);
    expect(first).toEqual([2, 3, 4].map((line) => ({ line, values: ["Ann", "ann@x.example", "Met at the fair"] })));
    // Pulled ahead only as far as the stream buffers: a handful of chunks, not an unbounded run of them.
    expect(source.pulled).toBeLessThan(10);
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.closed).toBe(true);
  });

  it("reads the same rows and lines whatever the chunk boundaries: a BOM, a CRLF or a character split across chunks", async () => {
    const bytes = Buffer.from(HUBSPOT_CSV.replace("Ann,Lee", "Änn,Lée"));
    const whole = await allRows([bytes]);
    const byteByByte = await allRows(Array.from(bytes, (byte) => Uint8Array.of(byte)));

    expect(byteByByte).toEqual(whole);
    expect(whole.headers[0]).toBe("First Name");
    expect(whole.rows.map((row) => row.line)).toEqual([2, 4, 5, 6, 7, 8, 9, 10]);
    expect(whole.rows[0]!.values.slice(0, 2)).toEqual(["Änn", "Lée"]);
    expect(whole.rows[0]!.values.at(-1)).toBe('Met at the "expo"\nsecond line');
  });

  it("decides the delimiter on the header line even when the first chunk holds only part of it", async () => {
    const text = "Name;E-Mail;Notes\nHans;hans@x.example;1,5 Mio\n";
    const { headers, rows } = await allRows(Array.from(Buffer.from(text), (byte) => Uint8Array.of(byte)));
    expect(headers).toEqual(["Name", "E-Mail", "Notes"]);
    expect(rows).toEqual([{ line: 2, values: ["Hans", "hans@x.example", "1,5 Mio"] }]);
  });

  it("refuses bytes that are not UTF-8, also when they come after the first chunk", async () => {
    const chunks = [
      Buffer.from("Email,Name\n"),
      Buffer.from("a@x.example,Ann\n"),
      Buffer.from("b@x.example,Ren\xe9\n", "latin1"),
    ];
    await expect(allRows(chunks)).rejects.toThrow(/not UTF-8.*CSV UTF-8/);
  });
});
