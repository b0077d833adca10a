import type { CreatePageParameters, PageObjectResponse } from "@notionhq/client";

/** Notion's limits on what one property value may hold. */
export const RICH_TEXT_MAX_CHARS = 2_000;
export const RICH_TEXT_MAX_ITEMS = 100;
export const EMAIL_MAX_CHARS = 200;
export const SELECT_NAME_MAX_CHARS = 100;

export type PropertyValueRequest = NonNullable<CreatePageParameters["properties"]>[string];
export type PropertiesRequest = Record<string, PropertyValueRequest>;
export type PropertyValueResponse = PageObjectResponse["properties"][string];
export type ChoiceType = "select" | "status";

/**
 * Text as rich-text objects of at most 2,000 characters each: longer text is
 * split, never cut. A split never falls inside a surrogate pair, so an emoji
 * at a boundary stays whole.
 */
export function textChunks(text: string): Array<{ text: { content: string } }> {
  const chunks: Array<{ text: { content: string } }> = [];
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + RICH_TEXT_MAX_CHARS, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    chunks.push({ text: { content: text.slice(start, end) } });
    start = end;
  }
  if (chunks.length > RICH_TEXT_MAX_ITEMS) {
    throw new RangeError(`text of ${text.length} characters needs more than ${RICH_TEXT_MAX_ITEMS} rich-text objects`);
  }
  return chunks;
}

export const title = (text: string): PropertyValueRequest => ({ title: textChunks(text) });
export const richText = (text: string): PropertyValueRequest => ({ rich_text: textChunks(text) });
export const email = (address: string): PropertyValueRequest => ({ email: address });
export const date = (at: Date): PropertyValueRequest => ({ date: { start: at.toISOString() } });

/**
 * Notion's date-times are believed to hold minutes, not seconds (its editor
 * and stored model keep `HH:MM`), so what is compared with what Notion gives
 * back is written at that precision.
 */
export const NOTION_DATE_TIME_PRECISION_MS = 60_000;

export function toNotionPrecision(at: Date): Date {
  return new Date(Math.floor(at.getTime() / NOTION_DATE_TIME_PRECISION_MS) * NOTION_DATE_TIME_PRECISION_MS);
}

/** Whether a date Notion gave back is `at`, at the precision Notion keeps. */
export function sameNotionTime(stored: string | undefined, at: Date): boolean {
  if (stored === undefined) return false;
  const storedMs = Date.parse(stored);
  return !Number.isNaN(storedMs) && toNotionPrecision(new Date(storedMs)).getTime() === toNotionPrecision(at).getTime();
}

/** A date as Notion writes it: `YYYY-MM-DD` for a day, an ISO instant for a moment. */
export const dateFrom = (start: string): PropertyValueRequest => ({ date: { start } });
export const relation = (pageIds: readonly string[]): PropertyValueRequest => ({
  relation: pageIds.map((id) => ({ id })),
});

/** A select or status value, whichever type the property has. */
export function choice(type: ChoiceType, name: string): PropertyValueRequest {
  return type === "status" ? { status: { name } } : { select: { name } };
}

/** A select option name Notion accepts: no commas, at most 100 characters. */
export function selectOptionName(raw: string): string {
  return Array.from(raw.replaceAll(",", " ").replace(/\s+/g, " ").trim())
    .slice(0, SELECT_NAME_MAX_CHARS)
    .join("")
    .trim();
}

/** The plain text of a title or rich_text property; "" for anything else or empty. */
export function plainText(value: PropertyValueResponse | undefined): string {
  if (value?.type === "title") return value.title.map((item) => item.plain_text).join("");
  if (value?.type === "rich_text") return value.rich_text.map((item) => item.plain_text).join("");
  return "";
}

/** The option name of a select or status property. */
export function choiceName(value: PropertyValueResponse | undefined): string | undefined {
  if (value?.type === "select") return value.select?.name;
  if (value?.type === "status") return value.status?.name;
  return undefined;
}

export function emailOf(value: PropertyValueResponse | undefined): string | undefined {
  return value?.type === "email" ? (value.email ?? undefined) : undefined;
}

export function dateStart(value: PropertyValueResponse | undefined): string | undefined {
  return value?.type === "date" ? value.date?.start : undefined;
}

export function numberOf(value: PropertyValueResponse | undefined): number | undefined {
  return value?.type === "number" ? (value.number ?? undefined) : undefined;
}

/** Whether a property holds nothing a person would call a value. */
export function isEmptyValue(value: PropertyValueResponse | undefined): boolean {
  if (value === undefined) return true;
  switch (value.type) {
    case "title":
    case "rich_text":
      return plainText(value).trim() === "";
    case "select":
    case "status":
      return choiceName(value) === undefined;
    case "email":
      return !value.email;
    case "date":
      return value.date === null;
    case "number":
      return value.number === null;
    case "relation":
      return value.relation.length === 0;
    case "people":
      return value.people.length === 0;
    default:
      return false;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
