import type { Store } from "../store/open-store.js";

/** A row's id: TEXT (a uuid, a vendor's id) or INTEGER (AUTOINCREMENT). */
export type QueueId = string | number;
/** What a column may be given: what better-sqlite3 binds. */
export type SqlValue = string | number | bigint | null;

/** The states every durable queue shares; a table may add final states of its own (spam, ignored). */
export const QUEUED = "queued";
export const DEAD = "dead";

/**
 * The table contract. Every durable queue's table has these columns (and any
 * of its own, which only its feature reads and writes):
 *
 *   id                  TEXT or INTEGER PRIMARY KEY
 *   <keyColumn>         TEXT UNIQUE: the idempotency key ("id" when the id is the key)
 *   <createdAtColumn>   INTEGER NOT NULL: when it was queued; orders the queue
 *   state               TEXT NOT NULL: 'queued', <doneState>, 'dead', or one of <finalStates>
 *   attempts            INTEGER NOT NULL DEFAULT 0
 *   next_attempt_at_ms  INTEGER NOT NULL
 *   last_error          TEXT
 *   finished_at_ms      INTEGER: when it left 'queued' (NULL while queued)
 *   lease_until_ms      INTEGER, only with `leases`
 *   <parkedColumn>      INTEGER, only with `parkedColumn`: set while a queued row is parked
 *   <resultColumn>      TEXT, only with `resultColumn`: markDone's result, as JSON
 *
 * and an index on (state, next_attempt_at_ms).
 *
 * Decided once for every queue (the copies this replaces differed):
 * - `attempts` counts every try that ended, a success included: a message sent
 *   on its first try has 1, a row retried twice then done has 3. A hold (a
 *   parked row) is not a try. The attempt number a worker passes to the retry
 *   policy is `attempts + 1`.
 * - `finished_at_ms` is set whenever a row leaves 'queued' (done, dead, or
 *   enqueued straight into a final state such as spam or ignored) and cleared
 *   by revive; retention (`pruneFinished`) counts from it, never from when the
 *   row was queued.
 * - Every transition out of 'queued' checks the row is still queued, so a
 *   late worker cannot undo what another process (or `npm run jobs`) did.
 */
export type DurableQueueTable<Row, Item> = {
  table: string;
  /** The UNIQUE column holding the idempotency key; "id" when the id is the key. */
  keyColumn: string;
  /** When the row was queued, in ms: "received_at_ms", "created_at_ms". */
  createdAtColumn: string;
  /** The state a row that succeeded ends in. @default "done" */
  doneState?: string;
  /** Other final states a row can be enqueued in or settled as (spam, ignored). */
  finalStates?: readonly string[];
  /** Queue order (due work, lists). @default `<createdAtColumn>, rowid` */
  orderBy?: string;
  /** The table has lease_until_ms: a claim is a lease, so several processes can share the queue. */
  leases?: boolean;
  /**
   * A column set (to a time) while a queued row is parked: it waits for
   * something other than its own retry time (a lead held while Notion refuses
   * creates), is neither due nor "waiting", and is counted on its own.
   */
  parkedColumn?: string | undefined;
  /** The column markDone writes its result to, as JSON. */
  resultColumn?: string;
  /** Groups rows worked on together (a lead's email, a deal's page id): see dueGroups. */
  groupColumn?: string | undefined;
  /**
   * An SQL expression over the table's columns naming a row's line (a Slack
   * channel, one person's direct messages): a queued row waits behind every
   * older queued row of its line that was tried already or is due no later,
   * so a failure pauses that line once and its rows still go in the order
   * they were queued, while a row held back on purpose (`notBeforeMs`) holds
   * up nothing. With `parkedColumn`, parking a row parks its whole line (the
   * rows queued behind it, and those queued while it stays parked).
   * Unset: rows go independently.
   * Written by the program, never from input.
   */
  lineOf?: (alias: string) => string;
  /**
   * INTEGER NOT NULL: higher goes first among due groups (signed leads before
   * unsigned ones), then the oldest. Only dueGroups reads it.
   */
  priorityColumn?: string | undefined;
  fromRow(row: Row): Item;
};

/** The part of a queue that reports on it: what alerts, `check` and `jobs` read. */
export type QueueReader<Item> = {
  get(id: QueueId): Item | undefined;
  /** A row's state ('queued', 'dead', …); undefined when no row has that id. */
  stateOf(id: QueueId): string | undefined;
  findByKey(key: string): Item | undefined;
  /** Rows in one state, in queue order. @default limit 100 */
  list(state: string, limit?: number): Item[];
  /** Rows by state; a state with none is absent. */
  counts(): Partial<Record<string, number>>;
  count(state: string): number;
  /** Queued rows not parked: how many, and when the oldest was queued. */
  waiting(): { count: number; oldestAtMs: number | undefined };
  parkedCount(): number;
  /** Parked rows, oldest first. @default limit 100 */
  listParked(limit?: number): Item[];
  hasQueued(): boolean;
};

export type DurableQueue<Item> = QueueReader<Item> & {
  /**
   * Stores a row (INSERT ... ON CONFLICT (<keyColumn>) DO NOTHING). `columns`
   * are the table's own columns (and `id` when the caller makes ids); the
   * contract's columns are set here. With `key` already stored, nothing is
   * written and the stored row is returned with isNew false.
   */
  enqueue(
    columns: Readonly<Record<string, SqlValue>>,
    options?: { key?: string | undefined; state?: string; notBeforeMs?: number | undefined },
  ): { item: Item; isNew: boolean };
  /** Queued, not parked, not leased rows due now, in queue order. */
  due(limit: number): Item[];
  /** With `leases`: takes up to `limit` due rows for `leaseMs` in one transaction; no other claimer gets them meanwhile. */
  claimDue(limit: number, leaseMs: number): Item[];
  /** With `leases`: takes one row for `leaseMs`; false when another claimer holds it or it is not queued. */
  claim(id: QueueId, leaseMs: number): boolean;
  /** When the earliest queued, not parked row is due; undefined when none is. */
  nextDueAtMs(): number | undefined;
  /**
   * With `groupColumn`: groups with a row due now, oldest first (highest
   * priority first, with `priorityColumn`); `quietMs` waits for a group's
   * newest row to be that old, `maxWaitMs` caps the wait from its oldest, and
   * `minPriority` leaves out groups whose rows are all below it.
   */
  dueGroups(limit: number, options?: { quietMs?: number; maxWaitMs?: number; minPriority?: number }): string[];
  /** With `groupColumn`: the group's queued rows (parked ones included), in queue order. */
  queuedInGroup(group: string): Item[];
  /** Success: each queued row ends in `state` (default doneState), with `result` in resultColumn. Returns how many. */
  markDone(ids: readonly QueueId[], options?: { state?: string; result?: unknown }): number;
  /** A failed try: due again at `atMs`. */
  retryLater(ids: readonly QueueId[], atMs: number, error: string): number;
  /** A failed try that cannot succeed: dead-lettered, kept for `jobs`. */
  bury(ids: readonly QueueId[], error: string): number;
  /** Parks queued rows (not a try): they wait for `unparkAll`. Keeps the first park time. With `lineOf`, parks their lines. */
  park(ids: readonly QueueId[], reason: string): number;
  /** Every parked row is due now. Returns how many. */
  unparkAll(): number;
  /** Queued, not parked rows waiting out a retry's backoff (tried before, due later) are due now. Returns how many. */
  resumeWaiting(): number;
  /** Whether any queued, not parked row waits out a retry's backoff (tried before, due later). */
  hasRetryWaiting(): boolean;
  /** Puts a dead row back in the queue, due now. */
  revive(id: QueueId): boolean;
  /** Drops a dead row for good. */
  discard(id: QueueId): boolean;
  /** Deletes rows that finished (any state but queued) more than `olderThanMs` ago. Returns how many. */
  pruneFinished(olderThanMs: number): number;
};

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * One durable queue over one SQLite table (see DurableQueueTable for the
 * contract): the state machine, attempts and retry times, leases, parking,
 * dead letters, revival and retention. It knows no vendor: a worker decides
 * (with retryOrBury) what a failure means and records it here. Workers drive
 * it through createWorkLoop.
 */
export function createDurableQueue<Row, Item>(
  db: Store,
  spec: DurableQueueTable<Row, Item>,
  now: () => number = Date.now,
): DurableQueue<Item> {
  const { table, keyColumn, createdAtColumn: created, doneState = "done", parkedColumn, groupColumn } = spec;
  for (const name of [table, keyColumn, created, parkedColumn, spec.resultColumn, groupColumn, spec.priorityColumn]) {
    if (name !== undefined && !IDENTIFIER.test(name)) throw new Error(`not a column or table name: ${name}`);
  }
  const order = spec.orderBy ?? `${created}, rowid`;
  const parkedFree = parkedColumn === undefined ? "1" : `${parkedColumn} IS NULL`;
  // First in its line: no older queued row of the same line is still waiting.
  const ready =
    spec.lineOf === undefined
      ? parkedFree
      : `${parkedFree} AND NOT EXISTS (SELECT 1 FROM ${table} AS older WHERE older.state = 'queued'
           AND older.rowid < ${table}.rowid AND ${spec.lineOf("older")} = ${spec.lineOf(table)}
           AND (older.attempts > 0 OR older.next_attempt_at_ms <= ${table}.next_attempt_at_ms))`;
  const parked = parkedColumn === undefined ? "0" : `${parkedColumn} IS NOT NULL`;
  const leaseFree = spec.leases ? "(lease_until_ms IS NULL OR lease_until_ms < @now)" : "1";
  const clearLease = spec.leases ? ", lease_until_ms = NULL" : "";
  const clearParked = parkedColumn === undefined ? "" : `, ${parkedColumn} = NULL`;
  const finalStates = new Set([doneState, DEAD, ...(spec.finalStates ?? [])]);
  const fromRow = (row: Row | undefined) => (row === undefined ? undefined : spec.fromRow(row));
  const fromRows = (rows: Row[]) => rows.map((row) => spec.fromRow(row));

  const inserts = new Map<string, ReturnType<Store["prepare"]>>();
  const insertFor = (columns: readonly string[]) => {
    const sqlKey = columns.join(",");
    let statement = inserts.get(sqlKey);
    if (statement === undefined) {
      for (const column of columns) if (!IDENTIFIER.test(column)) throw new Error(`not a column name: ${column}`);
      statement = db.prepare(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((column) => `@${column}`).join(", ")})
         ON CONFLICT (${keyColumn}) DO NOTHING`,
      );
      inserts.set(sqlKey, statement);
    }
    return statement;
  };
  const byRowid = db.prepare<[number | bigint], Row>(`SELECT * FROM ${table} WHERE rowid = ?`);
  const byId = db.prepare<[QueueId], Row>(`SELECT * FROM ${table} WHERE id = ?`);
  const stateById = db.prepare<[QueueId], { state: string }>(`SELECT state FROM ${table} WHERE id = ?`);
  const byKey = db.prepare<[string], Row>(`SELECT * FROM ${table} WHERE ${keyColumn} = ?`);
  const due = db.prepare<[{ now: number; limit: number }], Row>(
    `SELECT * FROM ${table} WHERE state = 'queued' AND ${ready} AND next_attempt_at_ms <= @now AND ${leaseFree}
     ORDER BY ${order} LIMIT @limit`,
  );
  const claim = spec.leases
    ? db.prepare<[{ id: QueueId; now: number; until: number }]>(
        `UPDATE ${table} SET lease_until_ms = @until WHERE id = @id AND state = 'queued' AND ${leaseFree}`,
      )
    : undefined;
  const nextDue = db.prepare<[], { at: number | null }>(
    `SELECT min(next_attempt_at_ms) AS at FROM ${table} WHERE state = 'queued' AND ${ready}`,
  );
  const dueGroups = db.prepare<
    [{ now: number; quietMs: number; maxWaitMs: number; limit: number; minPriority: number }],
    { g: string }
  >(
    `SELECT ${groupColumn ?? "NULL"} AS g FROM ${table} WHERE state = 'queued' AND ${parkedFree} GROUP BY ${groupColumn ?? "id"}
     HAVING min(next_attempt_at_ms) <= @now
        AND (max(${created}) <= @now - @quietMs OR min(${created}) <= @now - @maxWaitMs)
        AND ${spec.priorityColumn === undefined ? "@minPriority IS NOT NULL" : `max(${spec.priorityColumn}) >= @minPriority`}
     ORDER BY ${spec.priorityColumn === undefined ? "" : `max(${spec.priorityColumn}) DESC, `}min(${created}) LIMIT @limit`,
  );
  const inGroup = db.prepare<[string], Row>(
    `SELECT * FROM ${table} WHERE ${groupColumn ?? "NULL"} = ? AND state = 'queued' ORDER BY ${order}`,
  );
  const done = db.prepare<[{ id: QueueId; state: string; now: number; result: string | null }]>(
    `UPDATE ${table} SET state = @state, attempts = attempts + 1, finished_at_ms = @now, last_error = NULL
       ${spec.resultColumn === undefined ? "" : `, ${spec.resultColumn} = @result`}${clearLease}${clearParked}
     WHERE id = @id AND state = 'queued'`,
  );
  const retry = db.prepare<[{ id: QueueId; at: number; error: string }]>(
    `UPDATE ${table} SET attempts = attempts + 1, next_attempt_at_ms = @at, last_error = @error${clearLease}
     WHERE id = @id AND state = 'queued'`,
  );
  const bury = db.prepare<[{ id: QueueId; now: number; error: string }]>(
    `UPDATE ${table} SET state = 'dead', attempts = attempts + 1, last_error = @error, finished_at_ms = @now${clearLease}${clearParked}
     WHERE id = @id AND state = 'queued'`,
  );
  // With lines, a parked row parks its whole line: the rows queued behind it could only wait anyway.
  const sameLineAs = (row: string) =>
    spec.lineOf === undefined
      ? "0"
      : `${spec.lineOf(table)} = (SELECT ${spec.lineOf("parking")} FROM ${table} AS parking WHERE ${row})`;
  const park =
    parkedColumn === undefined
      ? undefined
      : db.prepare<[{ id: QueueId; now: number; reason: string }]>(
          `UPDATE ${table} SET ${parkedColumn} = coalesce(${parkedColumn}, @now),
             last_error = CASE WHEN id = @id THEN @reason ELSE last_error END${clearLease}
           WHERE state = 'queued' AND (id = @id OR ${sameLineAs("parking.id = @id")})`,
        );
  // A row queued into a parked line is parked with it.
  const parkIfLineParked =
    parkedColumn === undefined || spec.lineOf === undefined
      ? undefined
      : db.prepare<[{ rowid: number | bigint; now: number }]>(
          `UPDATE ${table} SET ${parkedColumn} = @now WHERE rowid = @rowid AND state = 'queued'
             AND EXISTS (SELECT 1 FROM ${table} AS other WHERE other.state = 'queued' AND other.${parkedColumn} IS NOT NULL
               AND other.rowid != @rowid AND ${spec.lineOf("other")} = ${spec.lineOf(table)})`,
        );
  const unpark =
    parkedColumn === undefined
      ? undefined
      : db.prepare<[number]>(
          `UPDATE ${table} SET ${parkedColumn} = NULL, next_attempt_at_ms = ? WHERE state = 'queued' AND ${parked}`,
        );
  const resumeWaiting = db.prepare<[{ now: number }]>(
    `UPDATE ${table} SET next_attempt_at_ms = @now
     WHERE state = 'queued' AND ${ready} AND next_attempt_at_ms > @now AND attempts > 0`,
  );
  const retryWaiting = db.prepare<[{ now: number }], { n: number }>(
    `SELECT EXISTS (SELECT 1 FROM ${table}
       WHERE state = 'queued' AND ${ready} AND next_attempt_at_ms > @now AND attempts > 0) AS n`,
  );
  const revive = db.prepare<[number, QueueId]>(
    `UPDATE ${table} SET state = 'queued', next_attempt_at_ms = ?, finished_at_ms = NULL WHERE id = ? AND state = 'dead'`,
  );
  const discard = db.prepare<[QueueId]>(`DELETE FROM ${table} WHERE id = ? AND state = 'dead'`);
  const listByState = db.prepare<[string, number], Row>(
    `SELECT * FROM ${table} WHERE state = ? ORDER BY ${order} LIMIT ?`,
  );
  const countByState = db.prepare<[], { state: string; n: number }>(
    `SELECT state, count(*) AS n FROM ${table} GROUP BY state`,
  );
  const countOne = db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM ${table} WHERE state = ?`);
  const waiting = db.prepare<[], { n: number; oldest: number | null }>(
    `SELECT count(*) AS n, min(${created}) AS oldest FROM ${table} WHERE state = 'queued' AND ${parkedFree}`,
  );
  const parkedCount = db.prepare<[], { n: number }>(
    `SELECT count(*) AS n FROM ${table} WHERE state = 'queued' AND ${parked}`,
  );
  const listParked = db.prepare<[number], Row>(
    `SELECT * FROM ${table} WHERE state = 'queued' AND ${parked} ORDER BY ${order} LIMIT ?`,
  );
  const anyQueued = db.prepare<[], { n: number }>(`SELECT EXISTS (SELECT 1 FROM ${table} WHERE state = 'queued') AS n`);
  const prune = db.prepare<[number]>(
    `DELETE FROM ${table} WHERE state != 'queued' AND finished_at_ms IS NOT NULL AND finished_at_ms < ?`,
  );

  /** One statement per id, in one transaction: a batch moves together or not at all. */
  const each = <A extends unknown[]>(run: (id: QueueId, ...args: A) => number) =>
    db.transaction((ids: readonly QueueId[], ...args: A) => ids.reduce<number>((sum, id) => sum + run(id, ...args), 0));
  const doneEach = each(
    (id, state: string, result: string | null) => done.run({ id, state, now: now(), result }).changes,
  );
  const retryEach = each((id, at: number, error: string) => retry.run({ id, at, error }).changes);
  const buryEach = each((id, error: string) => bury.run({ id, now: now(), error }).changes);
  const parkEach = each((id, reason: string) => park?.run({ id, now: now(), reason }).changes ?? 0);
  const requireLeases = (what: string) => {
    if (!spec.leases) throw new Error(`${table} has no lease_until_ms: ${what} needs a queue with leases`);
  };
  const requireGroups = (what: string) => {
    if (groupColumn === undefined) throw new Error(`${table} has no group column: ${what} needs one`);
  };
  const claimOne = (id: QueueId, leaseMs: number) => {
    const at = now();
    return claim?.run({ id, now: at, until: at + leaseMs }).changes === 1;
  };
  const claimDue = db.transaction((limit: number, leaseMs: number) =>
    fromRows(due.all({ now: now(), limit }).filter((row) => claimOne((row as { id: QueueId }).id, leaseMs))),
  );

  return {
    enqueue(columns, { key, state = QUEUED, notBeforeMs } = {}) {
      if (state !== QUEUED && !finalStates.has(state)) throw new Error(`${table} has no state ${state}`);
      const at = now();
      const values: Record<string, SqlValue> = {
        ...columns,
        ...(key !== undefined && { [keyColumn]: key }),
        [created]: at,
        state,
        next_attempt_at_ms: Math.max(at, notBeforeMs ?? at),
        finished_at_ms: state === QUEUED ? null : at,
      };
      const names = Object.keys(values);
      const { changes, lastInsertRowid } = insertFor(names).run(values);
      if (changes === 1) {
        if (state === QUEUED) parkIfLineParked?.run({ rowid: lastInsertRowid, now: at });
        return { item: fromRow(byRowid.get(lastInsertRowid))!, isNew: true };
      }
      const stored = key === undefined ? undefined : fromRow(byKey.get(key));
      if (stored === undefined) throw new Error(`${table}: the row was not stored and no row has its key`);
      return { item: stored, isNew: false };
    },
    get: (id) => fromRow(byId.get(id)),
    stateOf: (id) => stateById.get(id)?.state,
    findByKey: (key) => fromRow(byKey.get(key)),
    due: (limit) => fromRows(due.all({ now: now(), limit })),
    claimDue(limit, leaseMs) {
      requireLeases("claimDue");
      return claimDue.immediate(limit, leaseMs);
    },
    claim(id, leaseMs) {
      requireLeases("claim");
      return claimOne(id, leaseMs);
    },
    nextDueAtMs: () => nextDue.get()?.at ?? undefined,
    dueGroups(limit, { quietMs = 0, maxWaitMs = Infinity, minPriority = Number.MIN_SAFE_INTEGER } = {}) {
      requireGroups("dueGroups");
      return dueGroups
        .all({ now: now(), quietMs, maxWaitMs: Math.min(maxWaitMs, Number.MAX_SAFE_INTEGER), limit, minPriority })
        .map((row) => row.g);
    },
    queuedInGroup(group) {
      requireGroups("queuedInGroup");
      return fromRows(inGroup.all(group));
    },
    markDone(ids, { state = doneState, result } = {}) {
      if (!finalStates.has(state) || state === DEAD) throw new Error(`${table}: ${state} is not a done state`);
      return doneEach(ids, state, result === undefined ? null : JSON.stringify(result));
    },
    retryLater: (ids, atMs, error) => retryEach(ids, atMs, error),
    bury: (ids, error) => buryEach(ids, error),
    park(ids, reason) {
      if (park === undefined) throw new Error(`${table} has no parked column`);
      return parkEach(ids, reason);
    },
    unparkAll: () => unpark?.run(now()).changes ?? 0,
    resumeWaiting: () => resumeWaiting.run({ now: now() }).changes,
    hasRetryWaiting: () => (retryWaiting.get({ now: now() })?.n ?? 0) > 0,
    revive: (id) => revive.run(now(), id).changes === 1,
    discard: (id) => discard.run(id).changes === 1,
    list: (state, limit = 100) => fromRows(listByState.all(state, limit)),
    counts: () => Object.fromEntries(countByState.all().map((row) => [row.state, row.n])),
    count: (state) => countOne.get(state)?.n ?? 0,
    waiting() {
      const row = waiting.get();
      return { count: row?.n ?? 0, oldestAtMs: row?.oldest ?? undefined };
    },
    parkedCount: () => parkedCount.get()?.n ?? 0,
    listParked: (limit = 100) => fromRows(listParked.all(limit)),
    hasQueued: () => (anyQueued.get()?.n ?? 0) > 0,
    pruneFinished: (olderThanMs) => prune.run(now() - olderThanMs).changes,
  };
}
