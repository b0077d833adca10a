/** A problem with one field of a request body, as 400 answers name it. */
export type FieldProblem = { field: string; message: string };

export type JsonObjectParse =
  { ok: true; json: Record<string, unknown> } | { ok: false; error: string; details: FieldProblem[] };

/** A verified body as a JSON object, or the 400 answer for it (shared by /lead and the form-service routes). */
export function parseJsonObject(body: Buffer): JsonObjectParse {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (error) {
    return {
      ok: false,
      error: "body is not valid JSON",
      details: [{ field: "body", message: error instanceof Error ? error.message : "unparseable" }],
    };
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return {
      ok: false,
      error: "body must be a JSON object",
      details: [{ field: "body", message: "expected an object" }],
    };
  }
  return { ok: true, json: json as Record<string, unknown> };
}
