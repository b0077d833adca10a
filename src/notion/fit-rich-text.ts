import { RICH_TEXT_MAX_CHARS, RICH_TEXT_MAX_ITEMS } from "./property-values.js";

/**
 * What one rich-text value may take of a request: Notion refuses a body over
 * about 500 KB, and the rest of the page (title, other properties) needs room.
 */
export const RICH_TEXT_MAX_JSON_BYTES = 400 * 1024;

/**
 * The text as it can be sent in one rich-text property: unchanged when it
 * fits in 100 objects of 2,000 characters and the payload budget; otherwise
 * cut at a character boundary and ended with `marker` (which says where the
 * rest is), the whole still within both limits.
 */
export function fitRichText(text: string, marker: string): string {
  if (fits(text)) return text;
  const tail = `\n\n${marker}`;
  // Leave one object of slack: splitting never cuts a surrogate pair, so a chunk may hold 1,999.
  let keep = Math.min(text.length, RICH_TEXT_MAX_CHARS * (RICH_TEXT_MAX_ITEMS - 1) - tail.length);
  for (;;) {
    const candidate = cutAt(text, keep) + tail;
    const bytes = jsonBytes(candidate);
    if (bytes <= RICH_TEXT_MAX_JSON_BYTES || keep === 0) return candidate;
    keep = Math.floor((keep * RICH_TEXT_MAX_JSON_BYTES) / bytes) - 16;
    if (keep < 0) keep = 0;
  }
}

function fits(text: string): boolean {
  return text.length <= RICH_TEXT_MAX_CHARS * (RICH_TEXT_MAX_ITEMS - 1) && jsonBytes(text) <= RICH_TEXT_MAX_JSON_BYTES;
}

function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}

/** The first `length` UTF-16 units, one fewer when that would split a surrogate pair. */
function cutAt(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}
