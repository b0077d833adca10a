import type { Store } from "../store/open-store.js";

/** What happened to one submission, for `npm run jobs -- find <email>`. */
export type SubmissionTrace = {
  id: string;
  receivedAtMs: number;
  /** queued, done, dead, spam (and any state a later migration adds, such as held). */
  state: string;
  attempts: number;
  outcome: string | undefined;
  contactPageId: string | undefined;
  lastError: string | undefined;
};

type Row = {
  id: string;
  received_at_ms: number;
  state: string;
  attempts: number;
  outcome: string | null;
  contact_page_id: string | null;
  last_error: string | null;
};

/** Every submission from one address (trimmed and lower-cased, as leads are), oldest first. */
export function findSubmissions(db: Store, email: string, limit = 200): SubmissionTrace[] {
  const rows = db
    .prepare<[string, number], Row>(
      `SELECT id, received_at_ms, state, attempts, outcome, contact_page_id, last_error
       FROM lead_submissions WHERE email = ? ORDER BY received_at_ms, rowid LIMIT ?`,
    )
    .all(email.trim().toLowerCase(), limit);
  return rows.map((row) => ({
    id: row.id,
    receivedAtMs: row.received_at_ms,
    state: row.state,
    attempts: row.attempts,
    outcome: row.outcome ?? undefined,
    contactPageId: row.contact_page_id ?? undefined,
    lastError: row.last_error ?? undefined,
  }));
}

/** A Notion page's address from its id: Notion redirects it to the page. */
export function notionPageUrl(pageId: string): string {
  return `https://www.notion.so/${pageId.replaceAll("-", "")}`;
}
