import type { Store } from "../store/open-store.js";

/** How a lead was first touched: a Contacted click in Slack, or a logged email. */
export type TouchVia = "slack" | "email";

/** A new lead as speed to lead counts it. */
export type LeadTouch = {
  pageId: string;
  email: string;
  arrivedAtMs: number;
  /** Undefined until someone touches the lead. */
  touchedAtMs: number | undefined;
  via: TouchVia | undefined;
};

type Row = {
  page_id: string;
  email: string;
  arrived_at_ms: number;
  touched_at_ms: number | null;
  touched_via: TouchVia | null;
};

type Touch = { at: number; via: TouchVia; who: string };

const prepared = new WeakMap<Store, ReturnType<typeof prepare>>();

function prepare(db: Store) {
  return {
    arrive: db.prepare<[string, string, number]>(
      "INSERT INTO first_touches (page_id, email, arrived_at_ms) VALUES (?, ?, ?) ON CONFLICT (page_id) DO NOTHING",
    ),
    // The earliest touch wins, whichever feature records it first.
    touchPage: db.prepare<[Touch]>(
      `UPDATE first_touches SET touched_at_ms = @at, touched_via = @via
       WHERE page_id = @who AND (touched_at_ms IS NULL OR touched_at_ms > @at)`,
    ),
    touchEmail: db.prepare<[Touch]>(
      `UPDATE first_touches SET touched_at_ms = @at, touched_via = @via
       WHERE email = @who AND (touched_at_ms IS NULL OR touched_at_ms > @at)`,
    ),
    arrivedSince: db.prepare<[number], Row>(
      "SELECT * FROM first_touches WHERE arrived_at_ms >= ? ORDER BY arrived_at_ms, page_id",
    ),
  };
}

function statements(db: Store) {
  let found = prepared.get(db);
  if (found === undefined) prepared.set(db, (found = prepare(db)));
  return found;
}

const normalEmail = (email: string) => email.trim().toLowerCase();
// Notion ids come dashed or not, upper or lower case: one form here.
const normalId = (pageId: string) => pageId.replace(/-/g, "").toLowerCase();

/**
 * A new contact arrived: the lead worker created its page at `at`. Recorded
 * once per page (a retried batch does not move the arrival).
 */
export function recordLeadArrival(db: Store, lead: { pageId: string; email: string; at: Date | number }): void {
  statements(db).arrive.run(normalId(lead.pageId), normalEmail(lead.email), +lead.at);
}

/**
 * Someone touched a lead (by its contact page id or its email). Keeps the
 * earliest touch; a lead that never arrived through the lead worker (an
 * imported contact) is not a new lead and is not recorded. Returns whether
 * a new lead's first touch was set or moved earlier.
 */
export function recordFirstTouch(
  db: Store,
  touch: ({ pageId: string } | { email: string }) & { at: Date | number; via: TouchVia },
): boolean {
  const sql = statements(db);
  const at = +touch.at;
  const result =
    "pageId" in touch
      ? sql.touchPage.run({ at, via: touch.via, who: normalId(touch.pageId) })
      : sql.touchEmail.run({ at, via: touch.via, who: normalEmail(touch.email) });
  return result.changes > 0;
}

/** The new leads that arrived at or after `sinceMs`, oldest first, with their first touch. */
export function leadsArrivedSince(db: Store, sinceMs: number): LeadTouch[] {
  return statements(db)
    .arrivedSince.all(sinceMs)
    .map((row) => ({
      pageId: row.page_id,
      email: row.email,
      arrivedAtMs: row.arrived_at_ms,
      touchedAtMs: row.touched_at_ms ?? undefined,
      via: row.touched_via ?? undefined,
    }));
}
