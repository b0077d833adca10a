/** How to read `03/04/2026`: HubSpot and US exports put the month first, most of Europe the day. */
export type DateOrder = "month-first" | "day-first";
export const DATE_FORMATS: Readonly<Record<string, DateOrder>> = {
  "MM/DD/YYYY": "month-first",
  "DD/MM/YYYY": "day-first",
};

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const NUMERIC = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;

/**
 * A date from an export as Notion takes it: `YYYY-MM-DD` for a date alone,
 * a UTC instant for a date and time (a time without a zone is read as UTC).
 * Undefined when the text is not one of the forms below; nothing is guessed.
 * - ISO: `2026-03-04`, `2026-03-04T14:08:00Z`, `2026-03-04 14:08`, offsets
 * - numeric: `03/04/2026`, `03.04.2026`, `03-04-2026`, optionally `14:08`, `2:08 PM`, in `order`
 */
export function parseImportDate(text: string, order: DateOrder): string | undefined {
  const trimmed = text.trim();
  const iso = ISO.exec(trimmed);
  if (iso !== null) {
    const [, year, month, day, hour, minute, second, fraction, zone] = iso;
    return build(+year!, +month!, +day!, hour, minute, second, fraction, zone);
  }
  const numeric = NUMERIC.exec(trimmed);
  if (numeric !== null) {
    const [, first, second, year, hour, minute, seconds, meridiem] = numeric;
    const [month, day] = order === "month-first" ? [+first!, +second!] : [+second!, +first!];
    let hours = hour;
    if (hour !== undefined && meridiem !== undefined) {
      const h = +hour;
      if (h < 1 || h > 12) return undefined;
      hours = String((h % 12) + (meridiem.toUpperCase() === "PM" ? 12 : 0));
    }
    return build(+year!, month, day, hours, minute, seconds, undefined, undefined);
  }
  return undefined;
}

function build(
  year: number,
  month: number,
  day: number,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
  fraction: string | undefined,
  zone: string | undefined,
): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  const ymd = `${year}-${pad(month)}-${pad(day)}`;
  if (hour === undefined) return ymd;
  if (+hour > 23 || +minute! > 59 || +(second ?? 0) > 59) return undefined;
  const offset = zone === undefined || zone.toUpperCase() === "Z" ? "Z" : zone.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  const ms = Date.parse(`${ymd}T${pad(+hour)}:${minute}:${second ?? "00"}${fraction ?? ""}${offset}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (value: number) => String(value).padStart(2, "0");
