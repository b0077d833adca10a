import type { RichTextItemResponse } from "@notionhq/client";
import { MAX_LINK_URL_CHARS, MAX_RICH_TEXT_ITEMS, MAX_TEXT_CONTENT_CHARS } from "./emulator-limits.js";
import { bodyValidationError } from "./notion-api-error.js";
import { isRecord } from "./notion-types.js";

type Annotations = RichTextItemResponse["annotations"];
type AnnotationColor = Annotations["color"];

const ANNOTATION_FLAGS = ["bold", "italic", "strikethrough", "underline", "code"] as const;
const ANNOTATION_COLORS = new Set<string>([
  "default",
  "gray",
  "brown",
  "orange",
  "yellow",
  "green",
  "blue",
  "purple",
  "pink",
  "red",
  "default_background",
  "gray_background",
  "brown_background",
  "orange_background",
  "yellow_background",
  "green_background",
  "blue_background",
  "purple_background",
  "pink_background",
  "red_background",
]);

/**
 * Validates a rich text request array (text and equation items) against Notion's
 * size limits and answers it in full response shape. `path` names the field in
 * error messages the way Notion does, e.g. `body.properties.Notes.rich_text`.
 */
export function parseRichTextArray(raw: unknown, path: string): RichTextItemResponse[] {
  if (!Array.isArray(raw))
    throw bodyValidationError(`${path} should be an array, instead was \`${JSON.stringify(raw)}\`.`);
  if (raw.length > MAX_RICH_TEXT_ITEMS) {
    throw bodyValidationError(`${path}.length should be ≤ \`${MAX_RICH_TEXT_ITEMS}\`, instead was \`${raw.length}\`.`);
  }
  return raw.map((item, index) => parseRichTextItem(item, `${path}[${index}]`));
}

function parseRichTextItem(raw: unknown, path: string): RichTextItemResponse {
  if (!isRecord(raw)) throw bodyValidationError(`${path} should be an object.`);
  const annotations = parseAnnotations(raw["annotations"], `${path}.annotations`);
  if (raw["text"] !== undefined && (raw["type"] === undefined || raw["type"] === "text")) {
    const text = raw["text"];
    if (!isRecord(text)) throw bodyValidationError(`${path}.text should be an object.`);
    const content = text["content"];
    if (typeof content !== "string") throw bodyValidationError(`${path}.text.content should be a string.`);
    if (content.length > MAX_TEXT_CONTENT_CHARS) {
      throw bodyValidationError(
        `${path}.text.content.length should be ≤ \`${MAX_TEXT_CONTENT_CHARS}\`, instead was \`${content.length}\`.`,
      );
    }
    const link = parseLink(text["link"], `${path}.text.link`);
    return {
      type: "text",
      text: { content, link },
      annotations,
      plain_text: content,
      href: link?.url ?? null,
    };
  }
  if (raw["equation"] !== undefined && (raw["type"] === undefined || raw["type"] === "equation")) {
    const equation = raw["equation"];
    if (!isRecord(equation) || typeof equation["expression"] !== "string") {
      throw bodyValidationError(`${path}.equation.expression should be a string.`);
    }
    const expression = equation["expression"];
    return { type: "equation", equation: { expression }, annotations, plain_text: expression, href: null };
  }
  throw bodyValidationError(`${path}.text should be defined (the emulator supports text and equation items).`);
}

function parseLink(raw: unknown, path: string): { url: string } | null {
  if (raw === undefined || raw === null) return null;
  if (!isRecord(raw) || typeof raw["url"] !== "string") throw bodyValidationError(`${path}.url should be a string.`);
  const url = raw["url"];
  if (url.length > MAX_LINK_URL_CHARS) {
    throw bodyValidationError(
      `${path}.url.length should be ≤ \`${MAX_LINK_URL_CHARS}\`, instead was \`${url.length}\`.`,
    );
  }
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) throw bodyValidationError(`Invalid URL for link: ${JSON.stringify(url)}.`);
  return { url };
}

function parseAnnotations(raw: unknown, path: string): Annotations {
  const annotations: Annotations = {
    bold: false,
    italic: false,
    strikethrough: false,
    underline: false,
    code: false,
    color: "default",
  };
  if (raw === undefined) return annotations;
  if (!isRecord(raw)) throw bodyValidationError(`${path} should be an object.`);
  for (const flag of ANNOTATION_FLAGS) {
    const value = raw[flag];
    if (value === undefined) continue;
    if (typeof value !== "boolean") throw bodyValidationError(`${path}.${flag} should be a boolean.`);
    annotations[flag] = value;
  }
  const color = raw["color"];
  if (color !== undefined) {
    if (typeof color !== "string" || !ANNOTATION_COLORS.has(color)) {
      throw bodyValidationError(`${path}.color should be a color, instead was \`${JSON.stringify(color)}\`.`);
    }
    annotations.color = color as AnnotationColor;
  }
  return annotations;
}

export function plainTextOf(items: ReadonlyArray<RichTextItemResponse>): string {
  return items.map((item) => item.plain_text).join("");
}

/** A plain text run in response shape, for titles the emulator writes itself. */
export function textRun(content: string): RichTextItemResponse {
  return {
    type: "text",
    text: { content, link: null },
    annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: "default" },
    plain_text: content,
    href: null,
  };
}
