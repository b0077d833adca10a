import { MAPPED_FIELDS, type FieldMap, type MappedField } from "../config/parse-field-map.js";
import { DEFAULT_FIELD_LABELS, normalizeLabel } from "./field-map.js";

/**
 * One answer of a submission, under every name it can be known by (a label
 * or question title, a key, a ref, an id). `kind` says what the service
 * itself knows the answer to be, for forms whose labels are questions.
 */
export type FormAnswer = { names: readonly string[]; value: string | undefined; kind?: "email" };

export type MappedFields = Partial<Record<Exclude<MappedField, "first_name" | "last_name">, string>>;

/**
 * A submission's answers as lead fields: for each field, the first answer
 * matching a configured label, else one matching a default label; an email
 * the service marks as such when no label matched; first and last name
 * joined when there is no full name. Blank answers count as absent.
 */
export function mapAnswers(answers: readonly FormAnswer[], fieldMap: FieldMap = {}): MappedFields {
  const found: Partial<Record<MappedField, string>> = {};
  for (const field of MAPPED_FIELDS) {
    const value = findAnswer(answers, fieldMap[field] ?? []) ?? findAnswer(answers, DEFAULT_FIELD_LABELS[field]);
    if (value !== undefined) found[field] = value;
  }
  const markedEmail = answers.find((answer) => answer.kind === "email" && present(answer.value))?.value;
  if (found.email === undefined && markedEmail !== undefined) found.email = markedEmail;
  if (found.name === undefined && (found.first_name !== undefined || found.last_name !== undefined)) {
    found.name = [found.first_name, found.last_name].filter((part) => part !== undefined).join(" ");
  }
  const { first_name: _first, last_name: _last, ...fields } = found;
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as MappedFields;
}

/** The first non-blank answer known by one of the labels, trying the labels in order. */
export function findAnswer(answers: readonly FormAnswer[], labels: readonly string[]): string | undefined {
  for (const label of labels.map(normalizeLabel)) {
    const answer = answers.find(
      (candidate) => present(candidate.value) && candidate.names.some((name) => normalizeLabel(name) === label),
    );
    if (answer !== undefined) return answer.value;
  }
  return undefined;
}

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}
