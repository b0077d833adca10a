const MS_PER_DAY = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day ("2025-03-14") an instant falls on in a time zone. */
export function calendarDay(atMs: number, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(atMs).map((part) => [part.type, part.value]));
  return `${parts["year"]}-${parts["month"]}-${parts["day"]}`;
}

/**
 * The calendar day of a Notion date value in a time zone. A date without a
 * time ("2025-03-14") is a day already and is not shifted into the zone.
 */
export function dayOfNotionDate(value: string, timeZone: string): string {
  return DATE_ONLY.test(value) ? value : calendarDay(Date.parse(value), timeZone);
}

/** Whole calendar days from one day to a later one (both "YYYY-MM-DD"). */
export function daysBetween(fromDay: string, toDay: string): number {
  return Math.round((Date.parse(toDay) - Date.parse(fromDay)) / MS_PER_DAY);
}
