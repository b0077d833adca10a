import busboy from "busboy";
import { TextDecoder } from "node:util";
import type { IncomingHttpHeaders } from "node:http";
import type { FormAnswer } from "../leads/map-answers.js";
import { parseJsonObject } from "../leads/parse-json-object.js";

/** The three encodings a page can post; anything else is 415 before the body is read. */
export type FormEncoding = "urlencoded" | "multipart" | "json";

export type FormBody =
  | { ok: true; fields: FormField[] }
  | { ok: false; status: 400 | 415; error: string; details: Array<{ field: string; message: string }> };

/** One submitted field as sent; a name may come several times (checkboxes). */
export type FormField = { name: string; value: string };

/** The most fields one form body may have, whatever its encoding. */
export const FORM_MAX_FIELDS = 200;
/** The field a browser fills with the page's encoding (HTML: a hidden input named `_charset_`). */
export const CHARSET_FIELD = "_charset_";
const TOO_MANY_FIELDS = `the form has too many fields (more than ${FORM_MAX_FIELDS})`;

export function formEncodingOf(contentType: string | undefined): FormEncoding | undefined {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") return "urlencoded";
  if (type === "multipart/form-data") return "multipart";
  if (/^application\/(?:[\w.+-]+\+)?json$/.test(type)) return "json";
  return undefined;
}

/**
 * Reads a body already held in memory (at most the route's limit) into its
 * fields, in the charset the browser declares (Content-Type's `charset`,
 * else a `_charset_` field), UTF-8 when it declares none.
 */
export async function readFormBody(
  encoding: FormEncoding,
  body: Buffer,
  headers: IncomingHttpHeaders,
): Promise<FormBody> {
  switch (encoding) {
    case "urlencoded":
      return readUrlencoded(body, charsetOf(headers["content-type"]));
    case "multipart":
      return readMultipart(body, headers, charsetOf(headers["content-type"]));
    case "json":
      return readJson(body);
  }
}

/** The fields as answers for FORM_FIELD_MAP and the default labels. */
export function answersOf(fields: readonly FormField[]): FormAnswer[] {
  // A browser sends a textarea's line breaks as CRLF (the HTML spec); everything else we store uses LF.
  return fields.map((field) => ({ names: [field.name], value: field.value.replace(/\r\n?/g, "\n") }));
}

function readUrlencoded(body: Buffer, declared: string | undefined): FormBody {
  const pairs: Array<[name: Buffer, value: Buffer]> = [];
  for (const pair of splitBytes(body, 0x26 /* & */)) {
    if (pair.length === 0) continue;
    const at = pair.indexOf(0x3d /* = */);
    pairs.push(
      at < 0
        ? [percentDecode(pair), Buffer.alloc(0)]
        : [percentDecode(pair.subarray(0, at)), percentDecode(pair.subarray(at + 1))],
    );
  }
  if (pairs.length > FORM_MAX_FIELDS) return invalid(TOO_MANY_FIELDS);
  const charset = declared ?? pairs.find(([name]) => name.toString("latin1") === CHARSET_FIELD)?.[1].toString("latin1");
  const decoder = decoderFor(charset);
  if (decoder === undefined)
    return invalid(`the form declares a character set this server cannot read (${cut(charset)})`);
  try {
    return {
      ok: true,
      fields: pairs.map(([name, value]) => ({ name: decoder.decode(name), value: decoder.decode(value) })),
    };
  } catch {
    // Only UTF-8 is decoded strictly: a name quietly stored as U+FFFD is a lead lost.
    return invalid("the form data is not valid UTF-8 URL encoding (a page in another encoding should send _charset_)");
  }
}

type Decoder = { decode(bytes: Uint8Array): string };

/** A decoder for a charset label (WHATWG names: utf-8, windows-1252, iso-8859-1 …); UTF-8, strict, by default. */
function decoderFor(label: string | undefined): Decoder | undefined {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label?.trim() || "utf-8", { fatal: true });
  } catch {
    return undefined;
  }
  if (decoder.encoding === "utf-8") return decoder;
  // Node 20's windows-1252 decodes 0x80–0x9F as Latin-1 controls (nodejs/node#56542); the
  // WHATWG table, which latin1 and iso-8859-1 also name, has € and the typographic quotes there.
  if (decoder.encoding === "windows-1252") return { decode: decodeWindows1252 };
  return new TextDecoder(decoder.encoding);
}

// https://encoding.spec.whatwg.org/index-windows-1252.txt, bytes 0x80 to 0x9F.
const WINDOWS_1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

function decodeWindows1252(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes)
    text += byte >= 0x80 && byte <= 0x9f ? WINDOWS_1252_HIGH[byte - 0x80] : String.fromCharCode(byte);
  return text;
}

function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "");
  return match?.[1];
}

function splitBytes(bytes: Buffer, separator: number): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf(separator); at >= 0; at = bytes.indexOf(separator, from)) {
    parts.push(bytes.subarray(from, at));
    from = at + 1;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

/** application/x-www-form-urlencoded's byte decoding (WHATWG URL): `+` is a space, `%XX` a byte, anything else kept. */
function percentDecode(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x2b) out[length++] = 0x20;
    else if (byte === 0x25 && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
      out[length++] = parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16);
      i += 2;
    } else out[length++] = byte;
  }
  return out.subarray(0, length);
}

function isHex(byte: number | undefined): boolean {
  return byte !== undefined && /[0-9a-f]/i.test(String.fromCharCode(byte));
}

function cut(text: string | undefined): string {
  return (text ?? "").slice(0, 40);
}

function readMultipart(body: Buffer, headers: IncomingHttpHeaders, declared: string | undefined): Promise<FormBody> {
  return new Promise((resolve) => {
    // Read as bytes (latin1 keeps every byte) and decoded once the charset is known: a `_charset_` part may come last.
    const raw: Array<[name: string, value: string]> = [];
    let file: string | undefined;
    let tooMany = false;
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers,
        defCharset: "latin1",
        defParamCharset: "latin1",
        limits: { fields: FORM_MAX_FIELDS, parts: FORM_MAX_FIELDS },
      });
    } catch {
      resolve(invalid("the multipart body has no boundary"));
      return;
    }
    parser.on("field", (name, value) => raw.push([name, value]));
    parser.on("partsLimit", () => (tooMany = true));
    parser.on("fieldsLimit", () => (tooMany = true));
    parser.on("file", (name, stream, info) => {
      // A file input left empty still sends a part with no file name and no bytes: that is no file.
      let bytes = 0;
      stream.on("data", (chunk: Buffer) => (bytes += chunk.length));
      stream.on("end", () => {
        if (info.filename || bytes > 0) file ??= name;
      });
    });
    parser.on("error", () => resolve(invalid("the multipart body is malformed")));
    parser.on("close", () => {
      if (tooMany) resolve(invalid(TOO_MANY_FIELDS));
      else if (file !== undefined)
        resolve({
          ok: false,
          status: 415,
          error: "files are not accepted",
          details: [{ field: file, message: "this form may only send text fields, not files" }],
        });
      else resolve(decodeParts(raw, declared));
    });
    parser.end(body);
  });
}

function decodeParts(raw: ReadonlyArray<[string, string]>, declared: string | undefined): FormBody {
  const charset = declared ?? raw.find(([name]) => name === CHARSET_FIELD)?.[1];
  const decoder = decoderFor(charset);
  if (decoder === undefined)
    return invalid(`the form declares a character set this server cannot read (${cut(charset)})`);
  try {
    const text = (latin1: string) => decoder.decode(Buffer.from(latin1, "latin1"));
    return { ok: true, fields: raw.map(([name, value]) => ({ name: text(name), value: text(value) })) };
  } catch {
    return invalid("the form data is not valid UTF-8 (a page in another encoding should send _charset_)");
  }
}

function readJson(body: Buffer): FormBody {
  const parsed = parseJsonObject(body);
  if (!parsed.ok) return { ok: false, status: 400, error: parsed.error, details: parsed.details };
  const entries = Object.entries(parsed.json);
  if (entries.length > FORM_MAX_FIELDS) return invalid(TOO_MANY_FIELDS);
  const fields: FormField[] = [];
  for (const [name, value] of entries) {
    // As a form would send them: text; a nested value as its JSON, so a field
    // that must be an email is refused naming that field.
    if (typeof value === "string") fields.push({ name, value });
    else if (value !== null && value !== undefined)
      fields.push({ name, value: typeof value === "object" ? JSON.stringify(value) : String(value) });
  }
  return { ok: true, fields };
}

function invalid(message: string, field = "body"): FormBody {
  return { ok: false, status: 400, error: "invalid form data", details: [{ field, message }] };
}
