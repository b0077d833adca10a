/** The lead fields a form's answers can fill (first and last name are joined into name). */
export const MAPPED_FIELDS = [
  "email",
  "name",
  "first_name",
  "last_name",
  "company",
  "message",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "page_url",
] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];

/** Lead field -> the labels, keys or refs of the form fields that fill it, tried in order. */
export type FieldMap = Partial<Record<MappedField, readonly string[]>>;

export type FieldMapParse = { ok: true; map: FieldMap } | { ok: false; error: string };

/**
 * Reads FORM_FIELD_MAP, either `email=Work email|E-mail,name=Full name`
 * (pairs split by commas, labels by `|`) or the same as JSON:
 * `{"email": ["Work email", "E-mail"], "name": "Full name"}`.
 */
export function parseFieldMap(text: string): FieldMapParse {
  const trimmed = text.trim();
  const entries = trimmed.startsWith("{") ? jsonEntries(trimmed) : pairEntries(trimmed);
  if (typeof entries === "string") return { ok: false, error: entries };
  const map: Record<string, string[]> = {};
  for (const [field, labels] of entries) {
    if (!(MAPPED_FIELDS as readonly string[]).includes(field))
      return { ok: false, error: `maps an unknown lead field "${field}"; use ${MAPPED_FIELDS.join(", ")}` };
    const clean = labels.map((label) => label.trim()).filter((label) => label !== "");
    if (clean.length === 0) return { ok: false, error: `gives no label for ${field}` };
    map[field] = [...(map[field] ?? []), ...clean];
  }
  return { ok: true, map: map as FieldMap };
}

function pairEntries(text: string): Array<[string, string[]]> | string {
  const entries: Array<[string, string[]]> = [];
  for (const pair of text.split(",").filter((part) => part.trim() !== "")) {
    const at = pair.indexOf("=");
    if (at <= 0) return `must be field=label pairs separated by commas, such as "email=Work email,name=Full name"`;
    entries.push([pair.slice(0, at).trim(), pair.slice(at + 1).split("|")]);
  }
  return entries;
}

function jsonEntries(text: string): Array<[string, string[]]> | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return "is not valid JSON";
  }
  if (json === null || typeof json !== "object" || Array.isArray(json))
    return "must be a JSON object of field: label(s)";
  const entries: Array<[string, string[]]> = [];
  for (const [field, labels] of Object.entries(json)) {
    const list: unknown[] = Array.isArray(labels) ? labels : [labels];
    if (!list.every((label): label is string => typeof label === "string"))
      return `must give ${field} a label or a list of labels`;
    entries.push([field, list]);
  }
  return entries;
}
