import { Client, LogLevel } from "@notionhq/client";
import { NOTION_VERSION } from "../crm-schema/crm-schema.js";
import type { Logger } from "../log/create-logger.js";
import type { Store } from "../store/open-store.js";
import { classifyFailure, type Failure } from "./classify-failure.js";
import { NotionGatewayError } from "./notion-errors.js";
import { anyOf, createPacedFetch } from "./paced-fetch.js";
import { resolveDataSourceId } from "./resolve-data-source-id.js";
import { createRequestWindow, PAUSE_JITTER_MS, type RequestLane } from "../rate-limit/request-window.js";
import { backoffDelayMs } from "../util/backoff.js";
import { sleep as realSleep } from "../util/sleep.js";

/** One attempt, counted from when the limiter lets it go. Notion itself gives up at 60 s. */
export const NOTION_ATTEMPT_TIMEOUT_MS = 30_000;
/** Attempts after failures that are not Notion asking us to wait. */
export const NOTION_MAX_ATTEMPTS = 6;
/**
 * Attempts after 429 and 529: each waits as long as Notion asks (a
 * workspace-wide wait may be minutes), so these are counted apart and allowed
 * far more: a busy hour is waited out, not turned into a failure.
 */
export const NOTION_MAX_THROTTLED_ATTEMPTS = 30;
export const NOTION_BACKOFF_BASE_MS = 500;
export const NOTION_BACKOFF_MAX_MS = 30_000;
// The SDK's own timeout starts before our token wait; ours replaces it.
const SDK_TIMEOUT_DISABLED_MS = 2 ** 31 - 1;

/**
 * How to settle a write whose outcome is unknown: given Notion's
 * `committed_resource_id` when it sent one, return the written record if it
 * exists, or undefined when it does not (then the write is sent again).
 */
export type RecoverWrite<T> = (committedResourceId: string | undefined) => Promise<T | undefined>;

export type NotionGateway = {
  /** A request with no side effect: retried on any transient failure. */
  read<T>(operation: string, run: (client: Client) => Promise<T>): Promise<T>;
  /**
   * A request with a side effect: retried when Notion provably did nothing
   * (429, 529, connection refused). After an ambiguous failure it is sent again
   * only once `recover` has shown it did not happen; without `recover`, it
   * fails with `notion_write_ambiguous`. A write Notion says it saved (503 with
   * `retry_guidance`) is never sent again: `recover` is asked (with the
   * `committed_resource_id` when Notion gave one), and when it finds nothing
   * yet the write fails with `notion_write_saved`, to be settled by reading later.
   */
  write<T>(operation: string, run: (client: Client) => Promise<T>, recover?: RecoverWrite<T>): Promise<T>;
  /** The data source of a database (`data_sources[0]`), cached for the process. */
  dataSourceId(databaseId: string): Promise<string>;
};

export type NotionGatewayOptions = {
  token: string;
  baseUrl: string;
  /** Requests allowed in any window, for every process on this state file together. */
  requestsPerMinute: number;
  /** The limiter's window. Benches scale budget and window down together. @default 61 s (60 s and a margin) */
  windowMs?: number;
  db: Store;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
  attemptTimeoutMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  signal?: AbortSignal;
  /**
   * Stops what has not left yet (Ctrl-C during an import): a request waiting
   * for the window or for its next try rejects with the signal's reason and
   * nothing more is sent, while requests already sent are answered (`signal`
   * aborts those too).
   */
  stopWaiting?: AbortSignal;
  onSend?: (method: string, url: string) => void;
  /** Which lane of the shared limiter this gateway's requests queue in: `bulk` leaves a reserve to `live` and yields to it. @default "live" */
  lane?: RequestLane;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /**
   * Called after every request Notion answered with success: the server
   * wakes work waiting on backoff with it (Notion is back). It must not throw;
   * if it does, the error is logged and the request still succeeds.
   */
  onSuccess?: () => void;
};

export function createNotionGateway(options: NotionGatewayOptions): NotionGateway {
  const {
    logger,
    signal,
    stopWaiting,
    maxAttempts = NOTION_MAX_ATTEMPTS,
    backoffBaseMs = NOTION_BACKOFF_BASE_MS,
    now = Date.now,
    sleep = realSleep,
    random = Math.random,
  } = options;
  const log = logger.child({ area: "notion" });
  const waitSignal = anyOf(signal, stopWaiting);
  const limiter = createRequestWindow({
    db: options.db,
    name: "notion",
    budget: options.requestsPerMinute,
    ...(options.windowMs !== undefined && { windowMs: options.windowMs }),
    ...(options.lane && { lane: options.lane }),
    now,
    sleep,
    random,
  });
  const client = new Client({
    auth: options.token,
    baseUrl: options.baseUrl,
    notionVersion: NOTION_VERSION,
    // Retries are decided in `attempt` below; the SDK's would stack with them.
    retry: false,
    timeoutMs: SDK_TIMEOUT_DISABLED_MS,
    fetch: createPacedFetch({
      limiter,
      now,
      timeoutMs: options.attemptTimeoutMs ?? NOTION_ATTEMPT_TIMEOUT_MS,
      ...(options.fetch && { fetch: options.fetch }),
      ...(signal && { signal }),
      ...(stopWaiting && { stopWaiting }),
      ...(options.onSend && { onSend: options.onSend }),
    }),
    logLevel: LogLevel.ERROR,
    logger: (level, message, extraInfo) => log.debug({ sdk: extraInfo, sdkLevel: level }, message),
  });

  function notifySuccess(): void {
    try {
      options.onSuccess?.();
    } catch (error) {
      log.error({ err: error }, "the Notion success hook failed");
    }
  }

  async function attempt<T>(
    operation: string,
    run: (client: Client) => Promise<T>,
    isWrite: boolean,
    recover?: RecoverWrite<T>,
  ): Promise<T> {
    let throttles = 0;
    for (let attemptNumber = 1; ; attemptNumber++) {
      let failure: Failure;
      try {
        const value = await run(client);
        notifySuccess();
        return value;
      } catch (error) {
        // Stopping: no retry, and no other answer than the stop (the caller settles the write by reading later).
        waitSignal?.throwIfAborted();
        failure = classifyFailure(error);
        const context = { operation, attempt: attemptNumber, ...failure };
        if (failure.kind === "blocked") {
          log.error(context, "NOTION BLOCKED THIS CONNECTION: only Notion support can lift it");
          throw new NotionGatewayError(
            "notion_blocked",
            `Notion blocked ${operation}: the connection is restricted (${failure.reason})`,
            detailsOf(operation, failure, attemptNumber),
            { cause: error },
          );
        }
        if (failure.kind === "saved") {
          if (isWrite) return await settleSavedWrite(operation, failure, recover, error, attemptNumber);
          // A read has nothing to save: the answer is only a failure.
          failure = { kind: "ambiguous", reason: failure.reason, status: failure.status };
        }
        if (failure.kind === "permanent") {
          const said = failure.message === undefined ? "" : ` (${failure.message})`;
          throw new NotionGatewayError(
            "notion_rejected",
            `Notion rejected ${operation}: ${failure.reason}${said}`,
            detailsOf(operation, failure, attemptNumber),
            { cause: error },
          );
        }
        if (failure.kind === "throttled") {
          throttles++;
          log.warn({ ...context, rateLimitReason: failure.reason }, "notion throttled the request");
        } else {
          log.warn(context, "notion request failed");
        }
        if (isWrite && failure.kind === "ambiguous") {
          const settled = await settleAmbiguousWrite(operation, failure, recover, error, attemptNumber);
          if (settled.done) return settled.value;
        }
        const tries = failure.kind === "throttled" ? throttles : attemptNumber - throttles;
        if (tries >= (failure.kind === "throttled" ? NOTION_MAX_THROTTLED_ATTEMPTS : maxAttempts)) {
          throw new NotionGatewayError(
            "notion_unavailable",
            `Notion did not complete ${operation} after ${attemptNumber} attempts: ${failure.reason}`,
            detailsOf(operation, failure, attemptNumber),
            { cause: error },
          );
        }
      }
      await sleep(
        delayBefore(failure.kind === "throttled" ? throttles : attemptNumber - throttles, failure),
        waitSignal,
      );
    }
  }

  async function settleSavedWrite<T>(
    operation: string,
    failure: Extract<Failure, { kind: "saved" }>,
    recover: RecoverWrite<T> | undefined,
    error: unknown,
    attemptNumber: number,
  ): Promise<T> {
    const { committedResourceId } = failure;
    log.warn(
      { operation, committedResourceId, guidance: failure.guidance },
      "notion saved the write but answered an error; not sending it again",
    );
    const found = recover === undefined ? undefined : await recover(committedResourceId);
    if (found !== undefined) return found;
    throw new NotionGatewayError(
      "notion_write_saved",
      `Notion saved ${operation} but answered ${failure.status}; it is not sent again, and is settled by reading later`,
      { ...detailsOf(operation, failure, attemptNumber), ...(committedResourceId && { committedResourceId }) },
      { cause: error },
    );
  }

  async function settleAmbiguousWrite<T>(
    operation: string,
    failure: Extract<Failure, { kind: "ambiguous" }>,
    recover: RecoverWrite<T> | undefined,
    error: unknown,
    attemptNumber: number,
  ): Promise<{ done: true; value: T } | { done: false }> {
    if (recover === undefined) {
      throw new NotionGatewayError(
        "notion_write_ambiguous",
        `Notion may or may not have applied ${operation} (${failure.reason})`,
        detailsOf(operation, failure, attemptNumber),
        { cause: error },
      );
    }
    const found = await recover(failure.committedResourceId);
    if (found !== undefined) {
      log.info(
        { operation, committedResourceId: failure.committedResourceId },
        "notion had applied the write; not sending it again",
      );
      return { done: true, value: found };
    }
    return { done: false };
  }

  function delayBefore(tries: number, failure: Failure): number {
    // Retry-After is Notion's word on when to come back, however long; the jitter keeps the waiters from all returning at once.
    if (failure.kind === "throttled" && failure.retryAfterMs !== undefined)
      return failure.retryAfterMs + Math.floor(random() * PAUSE_JITTER_MS);
    return backoffDelayMs(tries, backoffBaseMs, NOTION_BACKOFF_MAX_MS);
  }

  const gateway: NotionGateway = {
    read: (operation, run) => attempt(operation, run, false),
    write: (operation, run, recover) => attempt(operation, run, true, recover),
    dataSourceId(databaseId) {
      let resolved = dataSourceIds.get(databaseId);
      if (resolved === undefined) {
        resolved = resolveDataSourceId(gateway, databaseId, log);
        dataSourceIds.set(databaseId, resolved);
        // A failure is not cached: the next caller asks Notion again.
        resolved.catch(() => dataSourceIds.delete(databaseId));
      }
      return resolved;
    },
  };
  const dataSourceIds = new Map<string, Promise<string>>();
  return gateway;
}

function detailsOf(operation: string, failure: Failure, attempts: number) {
  return {
    operation,
    attempts,
    ...("status" in failure && failure.status !== undefined && { status: failure.status }),
    ...(failure.kind === "permanent" && failure.notionCode !== undefined && { notionCode: failure.notionCode }),
  };
}

/** The gateway as every command builds it: token, base URL and budget from the settings. */
export function notionGatewayFromConfig(
  config: { NOTION_TOKEN: string; NOTION_BASE_URL: string; NOTION_REQUESTS_PER_MINUTE: number },
  options: Omit<NotionGatewayOptions, "token" | "baseUrl" | "requestsPerMinute">,
): NotionGateway {
  return createNotionGateway({
    token: config.NOTION_TOKEN,
    baseUrl: config.NOTION_BASE_URL,
    requestsPerMinute: config.NOTION_REQUESTS_PER_MINUTE,
    ...options,
  });
}
