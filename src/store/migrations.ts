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
    name: "deal poll mark",
    sql: `
      -- The Deals poll: where it got to (mark_ms, our clock when the last
      -- complete poll began) and how the last one went, for npm run jobs.
      -- A mark belongs to one data source: another Deals database starts over.
      CREATE TABLE deal_poll (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        data_source_id TEXT NOT NULL,
        mark_ms INTEGER,
        last_started_at_ms INTEGER,
        last_finished_at_ms INTEGER,
        last_outcome TEXT CHECK (last_outcome IN ('ok', 'failed')),
        last_error TEXT,
        last_deals INTEGER,
        last_messages INTEGER,
        last_queries INTEGER
      ) STRICT;

      -- The deal's last_edited_time when its stage was stored: a page read
      -- that is older (a lagging query result) cannot move the stage back.
      ALTER TABLE deal_stages ADD COLUMN last_edited_time TEXT;
    `,
  },
  {
    version: 6,
    name: "held creates, operator alerts and the outbox's channel",
    sql: `
      -- A lead Notion refused to create (403 restricted_resource: the Free
      -- plan's block limit, or no Insert content capability) stays queued,
      -- held since this time; held leads wait for the one probe, not for
      -- their own retry time.
      ALTER TABLE lead_submissions ADD COLUMN held_since_ms INTEGER;

      -- Notion refusing creates, workspace-wide: since when, and when one held
      -- lead is tried next. One row while it lasts; kept across restarts.
      CREATE TABLE notion_holds (
        kind TEXT PRIMARY KEY CHECK (kind IN ('creates')),
        since_ms INTEGER NOT NULL,
        next_probe_at_ms INTEGER NOT NULL,
        last_reason TEXT NOT NULL
      ) STRICT;

      -- Each operator alert condition while it lasts: when it started and
      -- when it was last posted, so a restart does not post it again.
      CREATE TABLE operator_alerts (
        condition TEXT PRIMARY KEY,
        started_at_ms INTEGER NOT NULL,
        last_posted_at_ms INTEGER NOT NULL
      ) STRICT;

      -- Which webhook a message goes to: the sales channel, or operator alerts.
      ALTER TABLE slack_outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'sales' CHECK (channel IN ('sales', 'alerts'));
    `,
  },
  {
    version: 7,
    name: "Notion user to Slack user map",
    sql: `
      -- Which Slack user a Notion person is (by email), so a deal alert can
      -- mention its owner. slack_user_id NULL remembers a miss (no email from
      -- Notion, no such Slack user). Rows older than a day are looked up again.
      CREATE TABLE slack_users (
        notion_user_id TEXT PRIMARY KEY,
        slack_user_id TEXT,
        looked_up_at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 8,
    name: "bucket lanes and the import journal",
    sql: `
      -- Serial number of the last token granted: the order of grants across processes.
      ALTER TABLE rate_bucket ADD COLUMN grants INTEGER NOT NULL DEFAULT 0;

      -- A live taker (a lead, a webhook) waiting for a token marks itself here
      -- until until_ms; bulk takers (an import) take no token while a mark is fresh.
      CREATE TABLE rate_live_waiters (
        bucket TEXT NOT NULL,
        holder TEXT NOT NULL,
        until_ms INTEGER NOT NULL,
        PRIMARY KEY (bucket, holder)
      ) STRICT;

      -- npm run import: one row per contact written (or refused by Notion),
      -- keyed by the file's content hash and the contact's first line. A
      -- row left 'creating' or 'updating' was in flight when the import died.
      CREATE TABLE import_rows (
        file_hash TEXT NOT NULL,
        line INTEGER NOT NULL,
        email TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('creating', 'updating', 'done')),
        outcome TEXT CHECK (outcome IN ('created', 'updated', 'rejected')),
        page_id TEXT,
        reason TEXT,
        updated_at_ms INTEGER NOT NULL,
        PRIMARY KEY (file_hash, line)
      ) STRICT;
    `,
  },
  {
    version: 9,
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
  {
    version: 10,
    name: "a Name that is only the email is not a filled field",
    sql: `
      -- A Name that is only the email (a lead without a name) now counts as
      -- empty, so a later lead with a name fills it. Cached contacts were
      -- recorded with such a Name as filled: forget that for every contact,
      -- so its next lead with a name reads the page once and fills it.
      UPDATE contacts
      SET filled_fields = trim(replace(',' || filled_fields || ',', ',name,', ','), ',')
      WHERE ',' || filled_fields || ',' LIKE '%,name,%';
      `,
  },
  {
    version: 11,
    name: "one durable queue contract: finished_at_ms on every queue",
    sql: `
      -- Every queue table follows src/queue/durable-queue.ts: finished_at_ms
      -- is when a row left 'queued', and retention counts from it. Rows that
      -- finished before this migration take the best time known: the outbox's
      -- sent_at_ms (now superseded, no longer written), else when it was queued.
      ALTER TABLE slack_outbox ADD COLUMN finished_at_ms INTEGER;
      UPDATE slack_outbox SET finished_at_ms = coalesce(sent_at_ms, created_at_ms) WHERE state != 'queued';
      ALTER TABLE notion_events ADD COLUMN finished_at_ms INTEGER;
      UPDATE notion_events SET finished_at_ms = received_at_ms WHERE state != 'queued';
      -- Spam was stored finished but without the time.
      UPDATE lead_submissions SET finished_at_ms = received_at_ms WHERE state != 'queued' AND finished_at_ms IS NULL;

      CREATE INDEX lead_submissions_finished ON lead_submissions (finished_at_ms);
      CREATE INDEX slack_outbox_finished ON slack_outbox (finished_at_ms);
      CREATE INDEX notion_events_finished ON notion_events (finished_at_ms);
    `,
  },
  {
    version: 12,
    name: "notion request window",
    sql: `
      -- Every request sent to Notion, by every process on this state file:
      -- its time and lane. The limiter counts the rows of the last 60 s (a
      -- sliding window), and deletes older ones as it goes.
      CREATE TABLE rate_window (
        name TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        lane TEXT NOT NULL CHECK (lane IN ('live', 'bulk'))
      ) STRICT;
      CREATE INDEX rate_window_by_time ON rate_window (name, at_ms);

      -- A 429 or 529 from Notion: no new request leaves, in any process,
      -- before until_ms (Retry-After).
      CREATE TABLE rate_pause (
        name TEXT PRIMARY KEY,
        until_ms INTEGER NOT NULL,
        reason TEXT NOT NULL
      ) STRICT;

      -- A hold has a cause: creates refused (403), or the whole connection
      -- blocked by Notion (429 public_api_request_blocked).
      ALTER TABLE notion_holds ADD COLUMN cause TEXT NOT NULL DEFAULT 'creates_refused'
        CHECK (cause IN ('creates_refused', 'connection_blocked'));
    `,
  },
  {
    version: 13,
    name: "deal stage history and first touches",
    sql: `
      -- Every stage change the server settled (webhook or poll), once each:
      -- the report's won, lost, cycle time and stuck deals are computed from it.
      -- at is Notion's last_edited_time of the page that showed the change.
      CREATE TABLE deal_stage_changes (
        id INTEGER PRIMARY KEY,
        page_id TEXT NOT NULL,
        from_stage TEXT,
        to_stage TEXT,
        at TEXT NOT NULL,
        UNIQUE (page_id, at, to_stage)
      ) STRICT;
      CREATE INDEX deal_stage_changes_by_page ON deal_stage_changes (page_id, at);
      CREATE INDEX deal_stage_changes_by_time ON deal_stage_changes (at);

      -- Each deal as last seen: the report reads Notion anyway, this keeps
      -- what a deal was when it left Deals (deleted deals are not counted).
      CREATE TABLE deal_facts (
        page_id TEXT PRIMARY KEY,
        stage TEXT,
        value REAL,
        owners_json TEXT NOT NULL,
        created_time TEXT NOT NULL,
        last_edited_time TEXT NOT NULL
      ) STRICT;

      -- Speed to lead: when the lead worker created a contact, and its first
      -- touch (a Contacted click, a logged email), the earliest one kept.
      CREATE TABLE first_touches (
        page_id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        arrived_at_ms INTEGER NOT NULL,
        touched_at_ms INTEGER,
        touched_via TEXT CHECK (touched_via IN ('slack', 'email'))
      ) STRICT;
      CREATE INDEX first_touches_by_email ON first_touches (email);
      CREATE INDEX first_touches_by_arrival ON first_touches (arrived_at_ms);
    `,
  },
  {
    version: 14,
    name: "deal moves counted, poll mark in Notion's time",
    sql: `
      -- Each stored change of a deal's Stage counts one move: the Slack
      -- message of a move is keyed on it, so won -> negotiation -> won in one
      -- (minute-rounded) edit minute posts every move.
      ALTER TABLE deal_stages ADD COLUMN moves INTEGER NOT NULL DEFAULT 0;

      -- mark_ms is now the newest last_edited_time Notion showed, no longer
      -- our clock at the poll's start (a fast clock skipped edits). An old
      -- mark may be ahead of Notion: the next poll reads one more day, which
      -- the stored stages make harmless.
      UPDATE deal_poll SET mark_ms = mark_ms - 86400000 WHERE mark_ms IS NOT NULL;
    `,
  },
  {
    version: 15,
    name: "Slack clicks, new-lead alerts, snoozes and Slack people in Notion",
    sql: `
      -- Every verified click on a button (POST /slack/actions), stored before
      -- it is answered and applied to Notion by the click worker. The key is
      -- the message, the action and the lead: a double click or Slack's retry
      -- is stored once. progress_json says which steps a retried click has done.
      CREATE TABLE slack_clicks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        idempotency_key TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at_ms INTEGER NOT NULL,
        last_error TEXT,
        payload_json TEXT NOT NULL,
        progress_json TEXT NOT NULL DEFAULT '{}',
        received_at_ms INTEGER NOT NULL,
        finished_at_ms INTEGER
      ) STRICT;
      CREATE INDEX slack_clicks_due ON slack_clicks (state, next_attempt_at_ms);

      -- Each announced new contact and the outbox message that carries it
      -- (its own, or a grouped one when a burst came in).
      CREATE TABLE new_lead_alerts (
        page_id TEXT PRIMARY KEY,
        lead_json TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        outbox_id INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX new_lead_alerts_outbox ON new_lead_alerts (outbox_id);

      -- Leads snoozed from Slack: the digest leaves them out until until_ms.
      CREATE TABLE lead_snoozes (
        page_id TEXT PRIMARY KEY,
        until_ms INTEGER NOT NULL,
        by_slack_user_id TEXT,
        updated_at_ms INTEGER NOT NULL
      ) STRICT;

      -- Which Notion user a Slack user is (by email), for Claim. notion_user_id
      -- NULL remembers a miss. Rows older than a day are looked up again.
      CREATE TABLE slack_notion_users (
        slack_user_id TEXT PRIMARY KEY,
        notion_user_id TEXT,
        looked_up_at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 16,
    name: "inbound emails and Mailgun tokens",
    sql: `
      -- Logged emails (src/inbound-email): a durable queue (src/queue/durable-queue.ts)
      -- keyed by the Message-ID (or a hash of from, date and subject). No body,
      -- no HTML, no attachment is kept: only what the contract lists, and the
      -- snippet only until Notion has the Activities row (cleared when done).
      CREATE TABLE inbound_emails (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        message_key TEXT NOT NULL UNIQUE,
        received_at_ms INTEGER NOT NULL,
        via TEXT NOT NULL CHECK (via IN ('postmark', 'mailgun', 'raw')),
        direction TEXT NOT NULL CHECK (direction IN ('sent', 'received', 'internal')),
        from_address TEXT NOT NULL,
        -- JSON array: the addresses outside the team whose contacts this email touches.
        addresses_json TEXT NOT NULL,
        subject TEXT NOT NULL,
        email_date_ms INTEGER NOT NULL,
        message_id TEXT,
        snippet TEXT,
        -- JSON object, per address: the contact's page id (or null: not a contact), the activity row.
        progress_json TEXT NOT NULL DEFAULT '{}',
        result_json TEXT,
        state TEXT NOT NULL CHECK (state IN ('queued', 'done', 'dead', 'ignored')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at_ms INTEGER NOT NULL,
        last_error TEXT,
        finished_at_ms INTEGER
      ) STRICT;
      CREATE INDEX inbound_emails_due ON inbound_emails (state, next_attempt_at_ms);
      CREATE INDEX inbound_emails_finished ON inbound_emails (finished_at_ms);

      -- Mailgun webhook tokens already accepted: a token seen before is a replay.
      CREATE TABLE mailgun_tokens (
        token TEXT PRIMARY KEY,
        seen_at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX mailgun_tokens_seen ON mailgun_tokens (seen_at_ms);
    `,
  },
  {
    version: 17,
    name: "lead priority, hold causes, the outbox's hold",
    sql: `
      -- Signed leads (/lead, /lead/<service>) go before unsigned /form posts
      -- when both wait: 1 for signed, 0 for /form.
      ALTER TABLE lead_submissions ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;

      -- Two more causes of a hold: 'unauthorized' (401, a revoked token) and
      -- 'unshared' (404 for a configured database). SQLite cannot widen a
      -- CHECK in place, so the table is rebuilt. The kind stays 'creates':
      -- one hold at a time.
      CREATE TABLE notion_holds_new (
        kind TEXT PRIMARY KEY CHECK (kind IN ('creates')),
        since_ms INTEGER NOT NULL,
        next_probe_at_ms INTEGER NOT NULL,
        last_reason TEXT NOT NULL,
        cause TEXT NOT NULL DEFAULT 'creates_refused'
          CHECK (cause IN ('creates_refused', 'connection_blocked', 'unauthorized', 'unshared'))
      ) STRICT;
      INSERT INTO notion_holds_new SELECT kind, since_ms, next_probe_at_ms, last_reason, cause FROM notion_holds;
      DROP TABLE notion_holds;
      ALTER TABLE notion_holds_new RENAME TO notion_holds;

      -- A Slack message held while Slack refuses the token or the channel (a
      -- permanent error that is not the message's): it waits for check or
      -- \`npm run jobs -- retry-slack\`, not for its own retry time.
      ALTER TABLE slack_outbox ADD COLUMN held_since_ms INTEGER;
    `,
  },
  {
    version: 18,
    name: "refused form origins per hour, contact create claims, import locks",
    sql: `
      -- POST /form refused for an origin not in FORM_ALLOWED_ORIGINS: counted
      -- per origin and UTC hour, so an hourly operator alert can name them.
      CREATE TABLE form_refused_origins (
        origin TEXT NOT NULL,
        hour_ms INTEGER NOT NULL,
        refused INTEGER NOT NULL,
        PRIMARY KEY (origin, hour_ms)
      ) STRICT;

      -- The contact writer's create of one email, claimed across processes
      -- (the server and an import): a second creator waits, then finds the
      -- contact instead of making another. Held until expires_at_ms at most.
      CREATE TABLE contact_create_claims (
        email TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL
      ) STRICT;

      -- npm run import: one run per journal (a file into a Contacts database)
      -- at a time. The owner's pid and a heartbeat-extended expiry: a run
      -- killed with -9 stops holding it once the expiry passes.
      CREATE TABLE import_locks (
        journal_key TEXT PRIMARY KEY,
        pid INTEGER NOT NULL,
        owner TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 19,
    name: "request window lanes for /form",
    sql: `
      -- A third lane, 'form' (unsigned /form posts): it steps aside for a
      -- waiting 'live' taker, and 'bulk' for both. The window's rows live for
      -- a minute, so its table is made again with the wider CHECK.
      DROP TABLE rate_window;
      CREATE TABLE rate_window (
        name TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        lane TEXT NOT NULL CHECK (lane IN ('live', 'form', 'bulk'))
      ) STRICT;
      CREATE INDEX rate_window_by_time ON rate_window (name, at_ms);
      ALTER TABLE rate_live_waiters ADD COLUMN lane TEXT NOT NULL DEFAULT 'live'
        CHECK (lane IN ('live', 'form'));
    `,
  },
  {
    version: 20,
    name: "new-lead alerts keep a lead only while its message waits",
    sql: `
      -- A sent alert's leads are never read again: the row keeps the page id
      -- alone (it was as large as the submission). The index finds the rows
      -- still carrying a lead without reading the others.
      CREATE INDEX new_lead_alerts_carrying ON new_lead_alerts (outbox_id) WHERE lead_json != '{}';
      UPDATE new_lead_alerts SET lead_json = '{}' WHERE lead_json != '{}'
        AND outbox_id NOT IN (SELECT id FROM slack_outbox WHERE state = 'queued');
    `,
  },
];
