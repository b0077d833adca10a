import { z } from "zod";
import { isNotionId } from "../config/parse-notion-id.js";

/** Event types that can change a deal's Stage. */
export const STAGE_EVENT_TYPES = new Set(["page.created", "page.properties_updated"]);

/** An id that goes into a Notion API path: checked here, at the edge, so it cannot carry a path or a query. */
const notionId = z.string().refine(isNotionId, "must be a Notion id (a UUID)");

/**
 * A changed property as an event names it: page.properties_updated sends
 * property ids; database.schema_updated and data_source.schema_updated send
 * `{id, name, action}` objects. Either way its id is kept.
 */
const updatedProperty = z.union([z.string(), z.looseObject({ id: z.string() }).transform((property) => property.id)]);

/** What every verified delivery has: enough to answer and, for types we do not act on, to ignore it. */
export const notionEventEnvelopeSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.string().min(1).max(200),
});

/** The part of a Notion webhook event this project reads; the rest is ignored. */
export const notionEventSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.string().min(1).max(200),
  timestamp: z.string().optional(),
  entity: z.object({ id: notionId, type: z.string() }).optional(),
  data: z
    .object({
      parent: z.object({ id: z.string(), type: z.string(), data_source_id: z.string().optional() }).optional(),
      updated_properties: z.array(updatedProperty).optional(),
    })
    .optional(),
});

export type NotionEvent = z.output<typeof notionEventSchema>;

/** Notion's first POST to a new subscription: `{"verification_token": "secret_..."}` and nothing else. */
export function verificationTokenOf(json: unknown): string | undefined {
  if (json === null || typeof json !== "object" || "type" in json) return undefined;
  const token = (json as { verification_token?: unknown }).verification_token;
  return typeof token === "string" && token.length > 0 ? token : undefined;
}
