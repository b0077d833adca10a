const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const MS_PER_DAY = 86_400_000;

export type ParsedDate = {
  /** The form Notion answers: `2024-05-01` or `2024-05-01T10:00:00.000+00:00`. */
  text: string;
  /** Epoch ms; a date without time is that day's start in UTC. */
  instantMs: number;
};

/** Parses an ISO 8601 date or date-time the way Notion accepts them; undefined when it is not one. */
export function parseIsoDate(raw: string): ParsedDate | undefined {
  const dateOnly = DATE_ONLY.exec(raw);
  if (dateOnly) {
    const instantMs = Date.UTC(Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3]));
    if (new Date(instantMs).toISOString().slice(0, 10) !== raw) return undefined;
    return { text: raw, instantMs };
  }
  const match = DATE_TIME.exec(raw);
  if (!match) return undefined;
  const [, day, hours, minutes, seconds = "00", fraction = "", zone = "Z"] = match;
  const offset = zone === "Z" ? "+00:00" : zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const millis = fraction.padEnd(3, "0").slice(0, 3);
  const text = `${day}T${hours}:${minutes}:${seconds}.${millis}${offset}`;
  const instantMs = Date.parse(text);
  if (Number.isNaN(instantMs) || parseIsoDate(day ?? "") === undefined) return undefined;
  return { text, instantMs };
}

const RELATIVE_DAYS: Record<string, number> = {
  today: 0,
  tomorrow: 1,
  yesterday: -1,
  one_week_ago: -7,
  one_week_from_now: 7,
};

/** Filter values may be relative ("today", "one_week_ago"); they resolve to a day's start in UTC. */
export function resolveFilterDate(raw: string, nowMs: number): number | undefined {
  const today = Math.floor(nowMs / MS_PER_DAY) * MS_PER_DAY;
  const days = RELATIVE_DAYS[raw];
  if (days !== undefined) return today + days * MS_PER_DAY;
  if (raw === "one_month_ago" || raw === "one_month_from_now") {
    const date = new Date(today);
    date.setUTCMonth(date.getUTCMonth() + (raw === "one_month_ago" ? -1 : 1));
    return date.getTime();
  }
  return parseIsoDate(raw)?.instantMs;
}

/** Ranges for past_week, next_month, ... measured from now, as Notion does. */
export function relativeRange(operator: string, nowMs: number): [number, number] | undefined {
  const spans: Record<string, [number, number]> = {
    past_week: [-7, 0],
    past_month: [-30, 0],
    past_year: [-365, 0],
    next_week: [0, 7],
    next_month: [0, 30],
    next_year: [0, 365],
  };
  const span = spans[operator];
  if (span === undefined) return undefined;
  return [nowMs + span[0] * MS_PER_DAY, nowMs + span[1] * MS_PER_DAY];
}

/** Notion answers created_time and last_edited_time rounded down to the minute. */
export function toNotionTimestamp(ms: number): string {
  return new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
}

export function roundToMinute(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}
