import type { Store } from "../store/open-store.js";

const HOUR_MS = 60 * 60_000;
/** An origin is the sender's word: kept no longer than this. */
const MAX_ORIGIN_CHARS = 200;
/** Hours of counts kept; older ones are dropped as new ones are written. */
const KEPT_HOURS = 24;
/** Origins named per hour: a flood of made-up origins is counted under one name, not stored one by one. */
export const MAX_ORIGINS_PER_HOUR = 50;
export const OTHER_ORIGINS = "(other origins)";

export type RefusedOrigin = { origin: string; refused: number };

export type RefusedOrigins = ReturnType<typeof createRefusedOrigins>;

/**
 * POST /form refused for an origin missing from FORM_ALLOWED_ORIGINS (a
 * www / non-www slip loses real leads), counted durably per origin and UTC
 * hour, so the hourly operator alert can name the origins.
 */
export function createRefusedOrigins(db: Store, now: () => number = Date.now) {
  const add = db.prepare<[string, number]>(
    `INSERT INTO form_refused_origins (origin, hour_ms, refused) VALUES (?, ?, 1)
     ON CONFLICT (origin, hour_ms) DO UPDATE SET refused = refused + 1`,
  );
  const dropOld = db.prepare<[number]>("DELETE FROM form_refused_origins WHERE hour_ms < ?");
  const named = db.prepare<[{ origin: string; hour: number }], { known: number; origins: number }>(
    `SELECT EXISTS (SELECT 1 FROM form_refused_origins WHERE origin = @origin AND hour_ms = @hour) AS known,
            (SELECT count(*) FROM form_refused_origins WHERE hour_ms = @hour) AS origins`,
  );
  const since = db.prepare<[number], RefusedOrigin>(
    `SELECT origin, sum(refused) AS refused FROM form_refused_origins WHERE hour_ms >= ?
     GROUP BY origin ORDER BY refused DESC, origin LIMIT 20`,
  );
  const hourOf = (at: number) => at - (at % HOUR_MS);
  return {
    record(origin: string): void {
      const hour = hourOf(now());
      const cut = origin.slice(0, MAX_ORIGIN_CHARS);
      const { known, origins } = named.get({ origin: cut, hour })!;
      add.run(known === 1 || origins < MAX_ORIGINS_PER_HOUR - 1 ? cut : OTHER_ORIGINS, hour);
      dropOld.run(hour - KEPT_HOURS * HOUR_MS);
    },
    /** Origins refused within the last hour, most refused first. */
    lastHour: (): RefusedOrigin[] => since.all(now() - HOUR_MS),
  };
}
