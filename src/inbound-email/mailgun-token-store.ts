import type { Store } from "../store/open-store.js";

/** How long an accepted token is remembered: past the 5-minute window a replay is refused by its timestamp anyway. */
export const MAILGUN_TOKEN_MEMORY_MS = 24 * 60 * 60_000;

export type MailgunTokenStore = {
  /** Whether this token was accepted before. */
  seen(token: string): boolean;
  /** Remembers a token (call it in the transaction that stores the email); false when it was there already. */
  remember(token: string): boolean;
};

/** Mailgun tokens already accepted (the mailgun_tokens table, migration 16): a token seen before is a replay. */
export function createMailgunTokenStore(db: Store, now: () => number = Date.now): MailgunTokenStore {
  const find = db.prepare<[string], { token: string }>("SELECT token FROM mailgun_tokens WHERE token = ?");
  const insert = db.prepare<[string, number]>(
    "INSERT INTO mailgun_tokens (token, seen_at_ms) VALUES (?, ?) ON CONFLICT (token) DO NOTHING",
  );
  const forget = db.prepare<[number]>("DELETE FROM mailgun_tokens WHERE seen_at_ms < ?");
  return {
    seen: (token) => find.get(token) !== undefined,
    remember(token) {
      const at = now();
      forget.run(at - MAILGUN_TOKEN_MEMORY_MS);
      return insert.run(token, at).changes === 1;
    },
  };
}
