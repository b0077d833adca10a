import { CsvError, parse } from "csv-parse";
import { pipeline, Readable } from "node:stream";
import { ImportFileError } from "./import-file-error.js";

/** One record of the file and the line it starts on, as an editor shows it. */
export type CsvRow = { line: number; values: string[] };

export type CsvRows = {
  delimiter: "," | ";";
  /** The first record; empty when the file is. */
  headers: string[];
  /** The records after the header, read as they are iterated: never the whole file at once. */
  rows: AsyncIterable<CsvRow>;
  /** Stops reading (the file is closed); for a caller that leaves before the last row. */
  close(): void;
};

type ParsedRecord = { record: string[]; info: { lines: number; empty_lines: number } };

/**
 * A CSV export read as a stream: UTF-8 (a BOM is dropped; anything else is
 * refused), comma or semicolon (decided on the header line), quoted fields
 * with commas and newlines. `bytes` is pulled only as fast as the rows are
 * iterated, so memory holds a chunk, not the file. `name` is for messages.
 */
export async function readCsvRows(bytes: AsyncIterable<Uint8Array>, name: string): Promise<CsvRows> {
  const text = decodeText(bytes, name)[Symbol.asyncIterator]();
  // Enough of the start to see the header line whole (a 64 KiB chunk, or more for a very long header).
  let head = "";
  let ended = false;
  while (!head.includes("\n") && !ended) {
    const next = await text.next();
    if (next.done) ended = true;
    else head += next.value;
  }
  const delimiter = sniffDelimiter(head);
  const parser = parse({
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
  });
  async function* all(): AsyncGenerator<string> {
    try {
      if (head !== "") yield head;
      if (ended) return;
      for (let next = await text.next(); !next.done; next = await text.next()) yield next.value;
    } finally {
      await text.return(undefined);
    }
  }
  // A read or decoding error destroys the parser with it, so the loop below sees it.
  pipeline(Readable.from(all(), { objectMode: false }), parser, () => {});
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<ParsedRecord>;
  const close = () => parser.destroy();

  const nextRecord = async (): Promise<ParsedRecord | undefined> => {
    try {
      const next = await records.next();
      return next.done ? undefined : next.value;
    } catch (error) {
      if (error instanceof CsvError) {
        throw new ImportFileError("file_unreadable", `cannot read ${name} as CSV: ${error.message}`, { cause: error });
      }
      throw error;
    }
  };
  let header: ParsedRecord | undefined;
  try {
    header = await nextRecord();
  } catch (error) {
    close();
    throw error;
  }
  async function* rows(): AsyncGenerator<CsvRow> {
    if (header === undefined) return;
    let previous = header.info;
    try {
      for (let parsed = await nextRecord(); parsed !== undefined; parsed = await nextRecord()) {
        // csv-parse counts the line a record ends on; a quoted newline makes a record span lines.
        const line = previous.lines + 1 + (parsed.info.empty_lines - previous.empty_lines);
        previous = parsed.info;
        yield { line, values: parsed.record };
      }
    } finally {
      close();
    }
  }
  return { delimiter, headers: header?.record ?? [], rows: rows(), close };
}

/**
 * The bytes as text, chunk by chunk: a character split across two chunks is
 * joined, and every line break becomes \n (csv-parse miscounts lines after a
 * quoted CRLF, and Notion keeps \n anyway), also a CRLF split across chunks.
 */
async function* decodeText(bytes: AsyncIterable<Uint8Array>, name: string): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch (error) {
      throw new ImportFileError(
        "file_unreadable",
        `cannot read ${name}: it is not UTF-8 text (export it again as "CSV UTF-8")`,
        { cause: error },
      );
    }
  };
  let carriage = false;
  const lines = (text: string, last: boolean) => {
    let joined = carriage ? `\r${text}` : text;
    carriage = !last && joined.endsWith("\r");
    if (carriage) joined = joined.slice(0, -1);
    return joined.replace(/\r\n?/g, "\n");
  };
  for await (const chunk of bytes) {
    const text = lines(decode(chunk), false);
    if (text !== "") yield text;
  }
  const rest = lines(decode(), true);
  if (rest !== "") yield rest;
}

/** Semicolons in the header line outnumber commas: a European spreadsheet's CSV. */
function sniffDelimiter(text: string): "," | ";" {
  const firstLine = text.split("\n", 1)[0] ?? "";
  const outsideQuotes = firstLine.replace(/"[^"]*"/g, "");
  const count = (char: string) => outsideQuotes.split(char).length - 1;
  return count(";") > count(",") ? ";" : ",";
}
