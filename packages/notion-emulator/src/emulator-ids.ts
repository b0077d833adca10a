import { randomUUID } from "node:crypto";

const COMPACT_ID = /^[0-9a-f]{32}$/i;
const DASHED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Accepts the 32-hex and the dashed form, as Notion does; answers the dashed lowercase form. */
export function parseNotionId(raw: string): string | undefined {
  if (DASHED_ID.test(raw)) return raw.toLowerCase();
  if (!COMPACT_ID.test(raw)) return undefined;
  const hex = raw.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function newNotionId(): string {
  return randomUUID();
}

export function compactId(id: string): string {
  return id.replaceAll("-", "");
}
