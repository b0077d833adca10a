import { relativeRange, resolveFilterDate } from "./date-value.js";
import { bodyValidationError } from "./notion-api-error.js";
import { isRecord } from "./notion-types.js";

/** What a condition compares against, per family of property types. */
export type ConditionKind = "text" | "number" | "checkbox" | "select" | "multi_select" | "date" | "ids";
export type Comparable = string | number | boolean | null | string[];
export type Condition = (value: Comparable) => boolean;

const isEmpty = (value: Comparable) => value === null || value === "" || (Array.isArray(value) && value.length === 0);

/**
 * Compiles one condition object (`{contains: "x"}`) for a kind of property,
 * rejecting operators and operand types Notion rejects for that kind.
 */
export function compileCondition(kind: ConditionKind, raw: unknown, path: string, nowMs: number): Condition {
  if (!isRecord(raw)) throw bodyValidationError(`${path} should be an object.`);
  const entries = Object.entries(raw);
  const [entry] = entries;
  if (entry === undefined || entries.length !== 1) {
    throw bodyValidationError(`${path} should have exactly one condition, instead had ${entries.length}.`);
  }
  const [operator, operand] = entry;
  const fail = (expected: string) =>
    bodyValidationError(`${path}.${operator} should be ${expected}, instead was \`${JSON.stringify(operand)}\`.`);
  if (operator === "is_empty" || operator === "is_not_empty") {
    if (kind === "checkbox") throw bodyValidationError(`${path}.${operator} is not a checkbox condition.`);
    if (operand !== true) throw fail("`true`");
    return operator === "is_empty" ? isEmpty : (value) => !isEmpty(value);
  }
  const unknown = () => bodyValidationError(`${path}.${operator} is not a valid condition for this property type.`);
  switch (kind) {
    case "text": {
      if (typeof operand !== "string") throw fail("a string");
      const needle = operand.toLowerCase();
      const text = (value: Comparable) => (typeof value === "string" ? value : "");
      const ops: Record<string, Condition> = {
        equals: (v) => text(v) === operand,
        does_not_equal: (v) => text(v) !== operand,
        contains: (v) => text(v).toLowerCase().includes(needle),
        does_not_contain: (v) => !text(v).toLowerCase().includes(needle),
        starts_with: (v) => text(v).toLowerCase().startsWith(needle),
        ends_with: (v) => text(v).toLowerCase().endsWith(needle),
      };
      return ops[operator] ?? throwError(unknown());
    }
    case "number": {
      if (typeof operand !== "number" || !Number.isFinite(operand)) throw fail("a number");
      const num = (v: Comparable, test: (n: number) => boolean) => typeof v === "number" && test(v);
      const ops: Record<string, Condition> = {
        equals: (v) => num(v, (n) => n === operand),
        does_not_equal: (v) => !num(v, (n) => n === operand),
        greater_than: (v) => num(v, (n) => n > operand),
        less_than: (v) => num(v, (n) => n < operand),
        greater_than_or_equal_to: (v) => num(v, (n) => n >= operand),
        less_than_or_equal_to: (v) => num(v, (n) => n <= operand),
      };
      return ops[operator] ?? throwError(unknown());
    }
    case "checkbox": {
      if (typeof operand !== "boolean") throw fail("a boolean");
      if (operator === "equals") return (v) => v === operand;
      if (operator === "does_not_equal") return (v) => v !== operand;
      throw unknown();
    }
    case "select":
    case "multi_select": {
      const names = typeof operand === "string" ? [operand] : operand;
      if (!Array.isArray(names) || !names.every((n) => typeof n === "string"))
        throw fail("a string or an array of strings");
      const has = (v: Comparable) => (Array.isArray(v) ? v : [v]).some((name) => names.includes(name as string));
      const positive = kind === "select" ? "equals" : "contains";
      const negative = kind === "select" ? "does_not_equal" : "does_not_contain";
      if (operator === positive) return has;
      if (operator === negative) return (v) => !has(v);
      throw unknown();
    }
    case "ids": {
      if (typeof operand !== "string") throw fail("a uuid");
      const wanted = operand.replaceAll("-", "").toLowerCase();
      const has = (v: Comparable) => Array.isArray(v) && v.some((id) => id.replaceAll("-", "") === wanted);
      if (operator === "contains") return has;
      if (operator === "does_not_contain") return (v) => !has(v);
      throw unknown();
    }
    case "date":
      return compileDateCondition(operator, operand, fail, unknown, nowMs);
  }
}

function compileDateCondition(
  operator: string,
  operand: unknown,
  fail: (expected: string) => Error,
  unknown: () => Error,
  nowMs: number,
): Condition {
  const range = relativeRange(operator, nowMs);
  const at = (v: Comparable, test: (ms: number) => boolean) => typeof v === "number" && test(v);
  if (range !== undefined) {
    if (!isRecord(operand)) throw fail("an empty object");
    return (v) => at(v, (ms) => ms >= range[0] && ms <= range[1]);
  }
  if (typeof operand !== "string") throw fail("an ISO 8601 date string");
  const target = resolveFilterDate(operand, nowMs);
  if (target === undefined) throw fail("an ISO 8601 date string");
  const ops: Record<string, Condition> = {
    equals: (v) => at(v, (ms) => ms === target),
    before: (v) => at(v, (ms) => ms < target),
    after: (v) => at(v, (ms) => ms > target),
    on_or_before: (v) => at(v, (ms) => ms <= target),
    on_or_after: (v) => at(v, (ms) => ms >= target),
  };
  return ops[operator] ?? throwError(unknown());
}

function throwError(error: Error): never {
  throw error;
}
