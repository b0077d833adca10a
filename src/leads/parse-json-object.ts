/** A problem with one field of a request body, as 400 answers name it. */
export type FieldProblem = { field: string; message: string };

export type JsonObjectParse =
  { ok: true; json: Record<string, unknown> } | { ok: false; error: string; details: FieldProblem[] };

/** Arrays and objects nested deeper than this are refused: no form answer needs more than a few levels. */
export const MAX_JSON_DEPTH = 32;

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A verified body as a JSON object, or the 400 answer for it (shared by
 * /lead and the form-service routes). The bytes must be UTF-8 (a declared
 * charset other than UTF-8 is refused rather than guessed at), and nesting
 * is limited, checked without recursion, before anything is parsed.
 */
export function parseJsonObject(body: Buffer, contentType?: string): JsonObjectParse {
  const charset = declaredCharset(contentType);
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    return refuse("body must be UTF-8", "charset", `charset "${charset.slice(0, 40)}" is not supported; send UTF-8`);
  }
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return refuse(
      "body is not valid UTF-8",
      "body",
      `invalid UTF-8 near byte ${firstInvalidUtf8Byte(body)}; send the text as UTF-8 (not Latin-1)`,
    );
  }
  const depth = nestingDepth(text);
  if (depth > MAX_JSON_DEPTH) {
    return refuse("body is nested too deeply", "body", `arrays and objects may nest at most ${MAX_JSON_DEPTH} levels`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return refuse(
      "body is not valid JSON",
      "body",
      error instanceof Error ? error.message.slice(0, 200) : "unparseable",
    );
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return refuse("body must be a JSON object", "body", "expected an object");
  }
  return { ok: true, json: json as Record<string, unknown> };
}

function refuse(error: string, field: string, message: string): JsonObjectParse {
  return { ok: false, error, details: [{ field, message }] };
}

function declaredCharset(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "");
  return match?.[1]?.toLowerCase();
}

/** How deep `[` and `{` nest outside strings; stops counting once past the limit. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index++; // a backslash escapes the next character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > MAX_JSON_DEPTH) return deepest;
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return deepest;
}

/** The offset of the first byte that is not valid UTF-8 (for the answer, so the sender can find it). */
function firstInvalidUtf8Byte(body: Buffer): number {
  for (let low = 0, high = body.length; ;) {
    if (high - low <= 1) return low;
    const middle = (low + high) >>> 1;
    // A prefix decodes unless it holds an invalid byte; a cut sequence at its end is not one (stream mode).
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(body.subarray(0, middle), { stream: true });
      low = middle;
    } catch {
      high = middle;
    }
  }
}
