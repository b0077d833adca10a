const HEX_ID_LENGTH = 32;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_ID_PATTERN = /^[0-9a-f]{32}$/i;
// Notion URLs end in "<slug>-<32 hex>" or just "<32 hex>", optionally followed
// by "?v=<view id>" (the view, not the database) or a "#" fragment.
const URL_ID_PATTERN = /([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Exactly a Notion id (a dashed UUID or 32 hex digits), nothing around it: for ids a stranger sends. */
export function isNotionId(text: string): boolean {
  return UUID_PATTERN.test(text) || HEX_ID_PATTERN.test(text);
}

/**
 * Normalises a Notion id given as 32 hex digits, a dashed UUID or a Notion
 * URL to the dashed lower-case UUID the API returns. Returns undefined when
 * the text holds no id.
 */
export function parseNotionId(text: string): string | undefined {
  const trimmed = text.trim();
  if (UUID_PATTERN.test(trimmed) || HEX_ID_PATTERN.test(trimmed)) return toDashedUuid(trimmed);
  const path = urlPath(trimmed);
  if (path === undefined) return undefined;
  const lastSegment = path.split("/").filter(Boolean).pop() ?? "";
  const match = URL_ID_PATTERN.exec(lastSegment);
  return match?.[1] === undefined ? undefined : toDashedUuid(match[1]);
}

function urlPath(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
    return url.pathname;
  } catch {
    return undefined;
  }
}

function toDashedUuid(id: string): string {
  const hex = id.replaceAll("-", "").toLowerCase();
  if (hex.length !== HEX_ID_LENGTH) throw new Error("not a 32-hex id");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
