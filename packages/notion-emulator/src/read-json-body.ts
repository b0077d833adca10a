import type { IncomingMessage } from "node:http";
import { MAX_BODY_BYTES } from "./emulator-limits.js";
import { NotionApiError, bodyValidationError } from "./notion-api-error.js";
import { isRecord } from "./notion-types.js";

/**
 * Reads the whole body (draining past the limit so the client sees our answer
 * instead of a reset) and parses it as a JSON object; an empty body is `{}`.
 */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) {
    throw new NotionApiError(
      413,
      "validation_error",
      `Request body too large: ${size} bytes, the limit is ${MAX_BODY_BYTES}.`,
    );
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new NotionApiError(400, "invalid_json", "Error parsing JSON body.");
  }
  if (!isRecord(parsed))
    throw bodyValidationError(`body should be an object, instead was \`${JSON.stringify(parsed)}\`.`);
  return parsed;
}
