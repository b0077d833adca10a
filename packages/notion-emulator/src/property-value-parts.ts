import { parseIsoDate } from "./date-value.js";
import { bodyValidationError, validationError } from "./notion-api-error.js";
import { newNotionId } from "./emulator-ids.js";
import {
  SELECT_COLORS,
  isRecord,
  type DateValue,
  type SelectColor,
  type SelectOptionResponse,
  type SelectValue,
} from "./notion-types.js";
import { checkOptionName, pickColor } from "./select-options.js";

export type SelectRef =
  { value: SelectValue; created: false } | { value: SelectValue; created: true; option: SelectOptionResponse };

/**
 * Resolves `{name}` or `{id}` against a select-like schema. `pending` lists
 * options this request already created; undefined means new names are refused,
 * as for status properties.
 */
export function parseSelectRef(
  input: unknown,
  options: ReadonlyArray<SelectOptionResponse>,
  path: string,
  expected: () => Error,
  pending: ReadonlyArray<SelectOptionResponse> | undefined,
): SelectRef {
  if (!isRecord(input)) throw expected();
  const { id, name, color } = input;
  if (id !== undefined && typeof id !== "string") throw bodyValidationError(`${path}.id should be a string.`);
  if (name !== undefined && typeof name !== "string") throw bodyValidationError(`${path}.name should be a string.`);
  if (id === undefined && name === undefined) throw bodyValidationError(`${path}.name should be defined.`);
  const known = [...options, ...(pending ?? [])];
  const match = id !== undefined ? known.find((o) => o.id === id) : known.find((o) => o.name === name);
  if (match !== undefined) return { value: toValue(match), created: false };
  if (id !== undefined) throw validationError(`Option with id ${id} does not exist for ${path}.`);
  const optionName = name as string;
  if (pending === undefined) {
    throw validationError(`Invalid status option. Status option "${optionName}" does not exist for ${path}.`);
  }
  checkOptionName(optionName, `${path}.name`);
  if (color !== undefined && !(SELECT_COLORS as ReadonlyArray<unknown>).includes(color)) {
    throw bodyValidationError(`${path}.color should be a select color.`);
  }
  const option: SelectOptionResponse = {
    id: newNotionId(),
    name: optionName,
    color: (color as SelectColor | undefined) ?? pickColor(known.length),
    description: null,
  };
  return { value: toValue(option), created: true, option };
}

function toValue(option: SelectOptionResponse): SelectValue {
  return { id: option.id, name: option.name, color: option.color };
}

export function parseDateValue(input: unknown, path: string, expected: () => Error): DateValue | null {
  if (input === null) return null;
  if (!isRecord(input)) throw expected();
  const start = input["start"];
  if (typeof start !== "string") throw bodyValidationError(`${path}.start should be a string.`);
  const parsedStart = parseIsoDate(start);
  if (parsedStart === undefined) {
    throw bodyValidationError(
      `${path}.start should be a valid ISO 8601 date string, instead was \`${JSON.stringify(start)}\`.`,
    );
  }
  const end = input["end"];
  let endText: string | null = null;
  if (end !== undefined && end !== null) {
    const parsedEnd = typeof end === "string" ? parseIsoDate(end) : undefined;
    if (parsedEnd === undefined) throw bodyValidationError(`${path}.end should be a valid ISO 8601 date string.`);
    if (parsedEnd.instantMs < parsedStart.instantMs) throw validationError(`${path}.end is before its start.`);
    endText = parsedEnd.text;
  }
  const timeZone = input["time_zone"];
  if (timeZone !== undefined && timeZone !== null && typeof timeZone !== "string") {
    throw bodyValidationError(`${path}.time_zone should be a string.`);
  }
  return { start: parsedStart.text, end: endText, time_zone: typeof timeZone === "string" ? timeZone : null };
}
