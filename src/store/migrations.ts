export type Migration = { readonly version: number; readonly name: string; readonly sql: string };

/**
 * Numbered, append-only: a released migration is never edited, a change is a
 * new entry. `PRAGMA user_version` records the last one applied.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "shared Notion rate bucket",
    sql: `
      CREATE TABLE rate_bucket (
        name TEXT PRIMARY KEY,
        tokens REAL NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: "lead queue and contact cache",
    sql: `
      -- Every accepted lead, stored before it is answered. A row leaves the
      -- queue as done (in Notion), dead (Notion refused it), or spam.
      CREATE TABLE lead_submissions (
        id TEXT PRIMARY KEY,
        idempotency_key TEXT UNIQUE,
        email TEXT NOT NULL,
        lead_json TEXT NOT NULL,
        received_at_ms INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'dead', 'spam')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at_ms INTEGER NOT NULL,
        last_error TEXT,
        outcome TEXT CHECK (outcome IN ('created', 'updated')),
        contact_page_id TEXT,
        activity_page_id TEXT,
        activity_started INTEGER NOT NULL DEFAULT 0,
        finished_at_ms INTEGER
      ) STRICT;
      CREATE INDEX lead_submissions_due ON lead_submissions (state, next_attempt_at_ms);
      CREATE INDEX lead_submissions_email ON lead_submissions (email, state);

      -- email -> Contacts page, so a repeat lead costs one Notion call, and
      -- which of the page's fields were last seen filled.
      CREATE TABLE contacts (
        email TEXT PRIMARY KEY,
        page_id TEXT NOT NULL,
        filled_fields TEXT NOT NULL DEFAULT '',
        updated_at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: "Notion webhook events, deal stages and the Slack outbox",
    sql: `
      -- Every verified Notion event, stored once per event id before it is
      -- answered; pruned after 7 days (Notion retries for about a day).
      CREATE TABLE notion_events (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        page_id TEXT,
        -- Where the page lives (a database id and/or data source id), and
        -- the ids of the properties the event says changed.
        parent_id TEXT,
        parent_data_source_id TEXT,
        updated_properties TEXT,
        event_at TEXT,
        received_at_ms INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'ignored', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at_ms INTEGER NOT NULL,
        last_error TEXT
      ) STRICT;
      CREATE INDEX notion_events_due ON notion_events (state, next_attempt_at_ms);
      CREATE INDEX notion_events_received ON notion_events (received_at_ms);

      -- The last Stage seen for each deal: it, not the event, decides whether
      -- a change happened.
      CREATE TABLE deal_stages (
        page_id TEXT PRIMARY KEY,
        stage TEXT,
        updated_at_ms INTEGER NOT NULL
      ) STRICT;

      -- Every Slack message, stored before it is sent. dedupe_key makes a
      -- message that must go out once (a transition, a day's digest) go out once.
      CREATE TABLE slack_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dedupe_key TEXT UNIQUE,
        payload_json TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at_ms INTEGER NOT NULL,
        last_error TEXT,
        -- The server and a digest run share the outbox: a sender claims a
        -- message for a while before sending it, so only one sends it.
        lease_until_ms INTEGER,
        sent_at_ms INTEGER
      ) STRICT;
      CREATE INDEX slack_outbox_due ON slack_outbox (state, next_attempt_at_ms);
    `,
  },
  {
    version: 4,
    name: "per-sender lead limits",
    sql: `
      -- One row per accepted form-service submission and sender (an IP or an
      -- email), kept for the hour the limits look back over.
      CREATE TABLE sender_hits (
        kind TEXT NOT NULL CHECK (kind IN ('ip', 'email')),
        sender TEXT NOT NULL,
        at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX sender_hits_sender ON sender_hits (kind, sender, at_ms);
      CREATE INDEX sender_hits_at ON sender_hits (at_ms);
    `,
  },
  {
    version: 5,
    name: "health probe",
    sql: `
      -- /healthz writes a row here and deletes it in the same transaction:
      -- it answers whether the state file can take a write right now.
      CREATE TABLE health_probe (
        at_ms INTEGER NOT NULL,
        filler BLOB NOT NULL
      ) STRICT;
    `,
  },
];
