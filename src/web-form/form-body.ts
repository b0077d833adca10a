import busboy from "busboy";
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

const MAX_FIELDS = 200;

export function formEncodingOf(contentType: string | undefined): FormEncoding | undefined {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") return "urlencoded";
  if (type === "multipart/form-data") return "multipart";
  if (/^application\/(?:[\w.+-]+\+)?json$/.test(type)) return "json";
  return undefined;
}

/** Reads a body already held in memory (at most the route's limit) into its fields, UTF-8 throughout. */
export async function readFormBody(
  encoding: FormEncoding,
  body: Buffer,
  headers: IncomingHttpHeaders,
): Promise<FormBody> {
  switch (encoding) {
    case "urlencoded":
      return readUrlencoded(body);
    case "multipart":
      return readMultipart(body, headers);
    case "json":
      return readJson(body);
  }
}

/** The fields as answers for FORM_FIELD_MAP and the default labels. */
export function answersOf(fields: readonly FormField[]): FormAnswer[] {
  // A browser sends a textarea's line breaks as CRLF (the HTML spec); everything else we store uses LF.
  return fields.map((field) => ({ names: [field.name], value: field.value.replace(/\r\n?/g, "\n") }));
}

function readUrlencoded(body: Buffer): FormBody {
  const fields: FormField[] = [];
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(body);
    for (const pair of text.split("&")) {
      if (pair === "") continue;
      const at = pair.indexOf("=");
      fields.push({ name: decode(at < 0 ? pair : pair.slice(0, at)), value: at < 0 ? "" : decode(pair.slice(at + 1)) });
    }
  } catch {
    return invalid("the form data is not valid UTF-8 URL encoding");
  }
  return fields.length > MAX_FIELDS ? invalid(`more than ${MAX_FIELDS} fields`) : { ok: true, fields };
}

// decodeURIComponent throws on a percent-escape that is not UTF-8, where
// URLSearchParams would quietly put U+FFFD in a person's name.
function decode(part: string): string {
  return decodeURIComponent(part.replace(/\+/g, " "));
}

function readMultipart(body: Buffer, headers: IncomingHttpHeaders): Promise<FormBody> {
  return new Promise((resolve) => {
    const fields: FormField[] = [];
    let file: string | undefined;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, defParamCharset: "utf8", limits: { fields: MAX_FIELDS, parts: MAX_FIELDS } });
    } catch {
      resolve(invalid("the multipart body has no boundary"));
      return;
    }
    parser.on("field", (name, value) => fields.push({ name, value }));
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
      if (file !== undefined)
        resolve({
          ok: false,
          status: 415,
          error: "files are not accepted",
          details: [{ field: file, message: "this form may only send text fields, not files" }],
        });
      else resolve({ ok: true, fields });
    });
    parser.end(body);
  });
}

function readJson(body: Buffer): FormBody {
  const parsed = parseJsonObject(body);
  if (!parsed.ok) return { ok: false, status: 400, error: parsed.error, details: parsed.details };
  const fields: FormField[] = [];
  for (const [name, value] of Object.entries(parsed.json)) {
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
