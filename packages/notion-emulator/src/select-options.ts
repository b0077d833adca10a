import { MAX_SELECT_NAME_CHARS } from "./emulator-limits.js";
import { bodyValidationError, validationError } from "./notion-api-error.js";
import { newNotionId } from "./emulator-ids.js";
import {
  SELECT_COLORS,
  isRecord,
  type PropertyConfigResponse,
  type SelectColor,
  type SelectOptionResponse,
} from "./notion-types.js";

const STATUS_DEFAULTS: ReadonlyArray<{ name: string; color: SelectColor; group: string }> = [
  { name: "Not started", color: "default", group: "To-do" },
  { name: "In progress", color: "blue", group: "In progress" },
  { name: "Done", color: "green", group: "Complete" },
];
const STATUS_GROUPS: ReadonlyArray<{ name: string; color: SelectColor }> = [
  { name: "To-do", color: "gray" },
  { name: "In progress", color: "blue" },
  { name: "Complete", color: "green" },
];

/** Options of a select, multi_select or status configuration, each given an id and a color. */
export function parseOptions(raw: unknown, path: string): SelectOptionResponse[] {
  if (!Array.isArray(raw)) throw bodyValidationError(`${path} should be an array.`);
  const options: SelectOptionResponse[] = [];
  for (const [index, item] of raw.entries()) {
    if (!isRecord(item)) throw bodyValidationError(`${path}[${index}] should be an object.`);
    const name = item["name"];
    if (typeof name !== "string") throw bodyValidationError(`${path}[${index}].name should be a string.`);
    checkOptionName(name, `${path}[${index}].name`);
    if (options.some((option) => option.name === name)) {
      throw validationError(`Duplicate option name "${name}" in ${path}.`);
    }
    const color = item["color"];
    if (color !== undefined && !(SELECT_COLORS as ReadonlyArray<unknown>).includes(color)) {
      throw bodyValidationError(
        `${path}[${index}].color should be a select color, instead was \`${JSON.stringify(color)}\`.`,
      );
    }
    const rawDescription = item["description"];
    options.push({
      id: newNotionId(),
      name,
      color: (color as SelectColor | undefined) ?? pickColor(options.length),
      description: typeof rawDescription === "string" ? rawDescription : null,
    });
  }
  return options;
}

/** Notion refuses commas in option names (https://developers.notion.com/reference/page-property-values#select). */
export function checkOptionName(name: string, path: string): void {
  if (name.length === 0) throw bodyValidationError(`${path} should not be empty.`);
  if (name.includes(",")) throw validationError(`Invalid select option, commas not allowed: ${name} (${path}).`);
  if (name.length > MAX_SELECT_NAME_CHARS) {
    throw bodyValidationError(
      `${path}.length should be ≤ \`${MAX_SELECT_NAME_CHARS}\`, instead was \`${name.length}\`.`,
    );
  }
}

/** Notion colors new options itself; cycling through the palette (skipping "default") stands in for that. */
export function pickColor(index: number): SelectColor {
  return SELECT_COLORS[(index % (SELECT_COLORS.length - 1)) + 1] ?? "default";
}

type StatusConfig = Extract<PropertyConfigResponse, { type: "status" }>["status"];

// The real API only makes the default options; explicit ones are a test convenience.
export function parseStatusConfig(config: Record<string, unknown>, path: string): StatusConfig {
  if (config["options"] === undefined) {
    const options = STATUS_DEFAULTS.map((option) => ({
      id: newNotionId(),
      name: option.name,
      color: option.color,
      description: null,
    }));
    const groups = STATUS_GROUPS.map((group) => ({
      id: newNotionId(),
      name: group.name,
      color: group.color,
      option_ids: options.filter((_, i) => STATUS_DEFAULTS[i]?.group === group.name).map((option) => option.id),
    }));
    return { options, groups };
  }
  const options = parseOptions(config["options"], `${path}.options`);
  const groups = STATUS_GROUPS.map((group, i) => ({
    id: newNotionId(),
    name: group.name,
    color: group.color,
    option_ids: i === 0 ? options.map((option) => option.id) : [],
  }));
  return { options, groups };
}
