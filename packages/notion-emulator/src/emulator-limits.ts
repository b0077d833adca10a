// Limits the real Notion API enforces (https://developers.notion.com/reference/request-limits).
// Kept in one place so the validation code and the tests quote the same numbers.

/** The newest Notion-Version the emulator speaks. */
export const NOTION_VERSION = "2026-03-11";
/**
 * Every Notion-Version the emulator accepts; it refuses any other. What it
 * models behaves alike on both (2026-03-11 renamed `archived`, which a client
 * must not read, to `in_trash`, which both carry).
 */
export const NOTION_VERSIONS: readonly string[] = ["2025-09-03", NOTION_VERSION];

/** Whole request body; Notion answers 413 past about 500 KB. */
export const MAX_BODY_BYTES = 500 * 1024;

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 100;

/** One query (a chain of cursors) stops after this many results. */
export const MAX_RESULTS_PER_QUERY = 10_000;

export const MAX_RICH_TEXT_ITEMS = 100;
export const MAX_TEXT_CONTENT_CHARS = 2_000;
export const MAX_LINK_URL_CHARS = 2_000;
export const MAX_URL_CHARS = 2_000;
export const MAX_EMAIL_CHARS = 200;
export const MAX_PHONE_NUMBER_CHARS = 200;
export const MAX_SELECT_NAME_CHARS = 100;
export const MAX_MULTI_SELECT_ITEMS = 100;
export const MAX_RELATION_ITEMS = 100;
export const MAX_PEOPLE_ITEMS = 100;

/** Compound filters nest at most this deep (and/or inside and/or). */
export const MAX_FILTER_DEPTH = 2;
