import { randomUUID } from "node:crypto";
import type { Store } from "../store/open-store.js";
import { withoutFsync } from "../store/without-fsync.js";
import { sleep } from "../util/sleep.js";

/**
 * Who is asking. `live` is work a person is waiting for from a trusted
 * sender (a signed lead, a webhook, a click); `form` is live work from the
 * open web (an unsigned /form post), which a flood can bring in any amount;
 * `bulk` is work nobody watches request by request (an import, a digest, a
 * report, a poll paging through many deals). Each leaves the next a reserve,
 * and steps aside while one before it waits: live, then form, then bulk.
 */
export type RequestLane = "live" | "form" | "bulk";

/** Notion counts requests per 60-second window (https://developers.notion.com/reference/request-limits). */
export const REQUEST_WINDOW_MS = 60_000;
/**
 * Added to the window: requests are counted from when they leave, Notion
 * counts them at some moment before it answers. A request answered within
 * the margin was counted by Notion within it, so it is safe to count it from
 * when it left; a slower one is counted again from its answer.
 */
export const REQUEST_WINDOW_MARGIN_MS = 1_000;
/**
 * Share of the budget bulk work never spends, so live work always finds room
 * at once: a third, so at 180 a minute an import spends 120 and leaves 60
 * (20 new leads at about 3 calls each, in any minute, with no wait at all);
 * at 600, 400 and 200. A tenth (18 at 180) fitted only 6 new leads a minute,
 * and the import's burst at the start of each window left the seventh
 * waiting for the next window, up to a minute. The import goes a third
 * slower for it (10,000 rows: 83 more windows, about 84 minutes, at 180;
 * 25, about 25 minutes, at 600), which nobody waits for request by request.
 */
export const LIVE_RESERVE_SHARE = 1 / 3;
/** At least this many requests are kept for live work: a new lead costs about three. */
export const MIN_LIVE_RESERVE = 6;
/**
 * Share of the budget /form posts never spend, so a flood of them leaves
 * signed leads room at once: a sixth, 30 of 180 (10 new leads a minute), 100
 * of 600. A burst of real /form leads (30 new ones, about 90 requests) still
 * goes at once.
 */
export const SIGNED_RESERVE_SHARE = 1 / 6;
/** After a pause ends, each waiting taker adds up to this much at random, so they do not all leave in one instant. */
export const PAUSE_JITTER_MS = 1_000;
/** A waiting live taker's mark outlives its expected wait by this much (matters only when its process died). */
export const LIVE_MARK_GRACE_MS = 1_000;

/** Requests of each window bulk work may spend: the budget less the live reserve (a third), at least 1. */
export function bulkBudgetOf(budget: number, liveReserve?: number): number {
  const reserve = liveReserve ?? Math.max(MIN_LIVE_RESERVE, Math.floor(budget * LIVE_RESERVE_SHARE));
  return Math.max(1, budget - Math.min(budget - 1, reserve));
}

/** Requests of each window /form work may spend: the budget less the signed reserve (a sixth), at least 1. */
export function formBudgetOf(budget: number): number {
  const reserve = Math.max(MIN_LIVE_RESERVE, Math.floor(budget * SIGNED_RESERVE_SHARE));
  return Math.max(1, budget - Math.min(budget - 1, reserve));
}

/** The lanes a taker of `lane` steps aside for while one of them waits. */
const YIELDS_TO: Record<RequestLane, readonly RequestLane[]> = { live: [], form: ["live"], bulk: ["live", "form"] };

/**
 * How long `requests` take to leave through a limiter allowing `perWindow` in
 * any window, starting from an empty window: the first `perWindow` at once,
 * then one more window for each further `perWindow`. Round trips come on top.
 */
export function drainTimeMs(
  requests: number,
  perWindow: number,
  windowMs: number = REQUEST_WINDOW_MS + REQUEST_WINDOW_MARGIN_MS,
): number {
  return Math.max(0, Math.ceil(requests / perWindow) - 1) * windowMs;
}

/** Call once the request's answer has come (or its attempt ended): a slow one is counted again from then. */
export type SettleRequest = () => void;

export type RequestWindow = {
  /**
   * Resolves when this request may leave, with the function to call once it
   * has been answered. Takers of one object are served in call order.
   */
  take(signal?: AbortSignal): Promise<SettleRequest>;
  /** Notion said to wait (429, 529): no request leaves, in any process, before `untilMs`. A shorter pause never shortens a longer one. */
  pauseUntil(untilMs: number, reason: string): void;
  /** The pause in force now, if any. */
  pause(): { untilMs: number; reason: string } | undefined;
  /** Requests counted in the window that ends now. */
  inWindow(): number;
};

export type RequestWindowOptions = {
  db: Store;
  /** Row name: processes sharing the file and the name share the budget. */
  name: string;
  /** Requests allowed in any window. */
  budget: number;
  /** @default REQUEST_WINDOW_MS + REQUEST_WINDOW_MARGIN_MS */
  windowMs?: number;
  /** @default "live" */
  lane?: RequestLane;
  /** Requests of each window only live takers may use. @default max(MIN_LIVE_RESERVE, a third of the budget), less than the budget */
  liveReserve?: number;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

type Attempt = { waitMs: number; rowId?: number | bigint; atMs?: number };

// How soon a bulk taker that stepped aside for a waiting live taker looks again.
const BULK_RECHECK_MS = 25;

/**
 * A sliding-window limiter whose log lives in SQLite, so every process that
 * opens the same state file spends one budget: never more than `budget`
 * requests in any `windowMs`, whatever Notion's own window alignment is.
 * Within the budget a request leaves at once; past it, it waits exactly until
 * the oldest request in the window falls out. A request is counted from when
 * it leaves: Notion counts it at some moment before it answers, so one
 * answered within the margin the window adds to Notion's 60 s is covered.
 * One answered later (a slow trip, or a process too busy to send at once)
 * is counted again from its answer, so its slot is freed a whole window
 * after the latest moment Notion can have counted it.
 *
 * Live first: bulk takers may fill the window only up to `budget - liveReserve`,
 * and take nothing while a live or form taker (in any process) is waiting;
 * form takers (unsigned /form posts) only up to five sixths of the budget,
 * and nothing while a live taker waits. Each
 * decision is one IMMEDIATE transaction, committed without waiting for the
 * disk (`withoutFsync`): a burst of 90 requests took 2 fsyncs each, 0.7 s and
 * more of a busy server's event loop, and the window's rows are worth nothing
 * after a power cut.
 */
export function createRequestWindow(options: RequestWindowOptions): RequestWindow {
  const { db, name, budget, lane = "live", now = Date.now, random = Math.random } = options;
  const windowMs = options.windowMs ?? REQUEST_WINDOW_MS + REQUEST_WINDOW_MARGIN_MS;
  // What the window adds to Notion's 60 s: a request answered within it needs no second stamp.
  const marginMs = Math.max(0, windowMs - REQUEST_WINDOW_MS);
  const wait = options.sleep ?? sleep;
  const limit =
    lane === "live" ? budget : lane === "form" ? formBudgetOf(budget) : bulkBudgetOf(budget, options.liveReserve);
  // Live and form takers mark themselves while they wait; the lanes after them step aside meanwhile.
  const marks = lane !== "bulk";
  const yieldsTo = YIELDS_TO[lane];

  const prune = db.prepare<[string, number]>("DELETE FROM rate_window WHERE name = ? AND at_ms <= ?");
  // A clock that stepped back: requests "in the future" count from now, so the window neither stalls nor forgets them.
  const clampFuture = db.prepare<[number, string, number]>(
    "UPDATE rate_window SET at_ms = ? WHERE name = ? AND at_ms > ?",
  );
  const count = db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM rate_window WHERE name = ?");
  // The request whose leaving brings the count under the limit: the (count - limit + 1)-th oldest.
  const nth = db.prepare<[string, number], { at_ms: number }>(
    "SELECT at_ms FROM rate_window WHERE name = ? ORDER BY at_ms LIMIT 1 OFFSET ?",
  );
  const insert = db.prepare<[string, number, RequestLane]>(
    "INSERT INTO rate_window (name, at_ms, lane) VALUES (?, ?, ?)",
  );
  const answered = db.prepare<[number, number | bigint]>(
    "UPDATE rate_window SET at_ms = max(at_ms, ?) WHERE rowid = ?",
  );
  const readPause = db.prepare<[string], { until_ms: number; reason: string }>(
    "SELECT until_ms, reason FROM rate_pause WHERE name = ?",
  );
  const writePause = db.prepare<[string, number, string]>(
    `INSERT INTO rate_pause (name, until_ms, reason) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET until_ms = excluded.until_ms, reason = excluded.reason
     WHERE excluded.until_ms > rate_pause.until_ms`,
  );
  const mark = db.prepare<[string, string, number, RequestLane]>(
    `INSERT INTO rate_live_waiters (bucket, holder, until_ms, lane) VALUES (?, ?, ?, ?)
     ON CONFLICT (bucket, holder) DO UPDATE SET until_ms = excluded.until_ms`,
  );
  const markWaiting = (bucket: string, who: string, untilMs: number) => mark.run(bucket, who, untilMs, lane);
  const clearMark = db.prepare<[string, string]>("DELETE FROM rate_live_waiters WHERE bucket = ? AND holder = ?");
  const aheadWaiting =
    yieldsTo.length === 0
      ? undefined
      : db.prepare<[string, number], { found: number }>(
          `SELECT 1 AS found FROM rate_live_waiters WHERE bucket = ? AND until_ms > ?
             AND lane IN (${yieldsTo.map((ahead) => `'${ahead}'`).join(", ")}) LIMIT 1`,
        );
  const holder = `${process.pid}:${randomUUID()}`;
  let waiting = 0;

  const tryTake = db.transaction((): Attempt => {
    const at = now();
    const paused = readPause.get(name);
    if (paused !== undefined && paused.until_ms > at) {
      if (marks) markWaiting(name, holder, paused.until_ms + PAUSE_JITTER_MS + LIVE_MARK_GRACE_MS);
      return { waitMs: paused.until_ms - at + Math.floor(random() * PAUSE_JITTER_MS) };
    }
    prune.run(name, at - windowMs);
    clampFuture.run(at, name, at);
    const inWindow = count.get(name)?.n ?? 0;
    const yieldToLive = aheadWaiting?.get(name, at) !== undefined;
    if (inWindow < limit && !yieldToLive) {
      const { lastInsertRowid } = insert.run(name, at, lane);
      if (marks) {
        if (waiting > 1) markWaiting(name, holder, at + LIVE_MARK_GRACE_MS);
        else clearMark.run(name, holder);
      }
      return { waitMs: 0, rowId: lastInsertRowid, atMs: at };
    }
    const freedAt = inWindow < limit ? at : (nth.get(name, inWindow - limit)?.at_ms ?? at) + windowMs;
    const untilFree = Math.max(1, Math.min(windowMs, freedAt - at));
    if (marks) markWaiting(name, holder, at + untilFree + LIVE_MARK_GRACE_MS);
    // A taker stepping aside for one ahead of it looks again soon: that one is about to take its turn.
    return { waitMs: yieldToLive && inWindow < limit ? BULK_RECHECK_MS : untilFree };
  });

  let line: Promise<unknown> = Promise.resolve();

  async function takeInTurn(signal?: AbortSignal): Promise<SettleRequest> {
    let granted = false;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const { waitMs, rowId, atMs } = withoutFsync(db, () => tryTake.immediate());
        if (waitMs === 0) {
          granted = true;
          let settled = false;
          return () => {
            if (settled || rowId === undefined || atMs === undefined) return;
            settled = true;
            const answeredAt = now();
            // Answered within the margin: Notion counted it within the margin too, and its stamp stands.
            if (answeredAt - atMs > marginMs) withoutFsync(db, () => answered.run(answeredAt, rowId));
          };
        }
        await wait(waitMs, signal);
      }
    } finally {
      waiting--;
      if (!granted && marks && waiting === 0) withoutFsync(db, () => clearMark.run(name, holder));
    }
  }

  return {
    take(signal) {
      waiting++;
      const turn = line.then(() => takeInTurn(signal));
      line = turn.catch(() => undefined);
      // Aborted while others ahead in line still wait: leave at once (its turn then takes nothing).
      return signal === undefined ? turn : leaveOnAbort(turn, signal);
    },
    pauseUntil(untilMs, reason) {
      withoutFsync(db, () => writePause.run(name, Math.round(untilMs), reason));
    },
    pause() {
      const row = readPause.get(name);
      return row === undefined || row.until_ms <= now() ? undefined : { untilMs: row.until_ms, reason: row.reason };
    },
    inWindow() {
      return withoutFsync(db, () =>
        db.transaction(() => {
          prune.run(name, now() - windowMs);
          return count.get(name)?.n ?? 0;
        })(),
      );
    },
  };
}

/** `promise`, or the signal's reason as soon as it aborts. */
function leaveOnAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // Its turn still comes, sees the signal and takes nothing; that rejection is this one's.
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
