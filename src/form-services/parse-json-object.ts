import type { FieldProblem } from "./form-service.js";

export type JsonObjectParse = { ok: true; json: Record<string, unknown> } | { ok: false; error: string; details: FieldProblem[] };

/** A verified body as a JSON object, or the same 400 answer /lead gives. */
export function parseJsonObject(body: Buffer): JsonObjectParse {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (error) {
    return { ok: false, error: "body is not valid JSON", details: [{ field: "body", message: error instanceof Error ? error.message : "unparseable" }] };
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return { ok: false, error: "body must be a JSON object", details: [{ field: "body", message: "expected an object" }] };
  }
  return { ok: true, json: json as Record<string, unknown> };
}
