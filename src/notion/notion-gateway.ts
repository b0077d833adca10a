import { Client, LogLevel } from "@notionhq/client";
import { NOTION_VERSION } from "../crm-schema/crm-schema.js";
import type { Logger } from "../log/create-logger.js";
import type { Store } from "../store/open-store.js";
import { classifyFailure, type Failure } from "./classify-failure.js";
import { NotionGatewayError } from "./notion-errors.js";
import { createPacedFetch } from "./paced-fetch.js";
import { resolveDataSourceId } from "./resolve-data-source-id.js";
import { createTokenBucket, type BucketLane } from "../rate-limit/token-bucket.js";
import { backoffDelayMs } from "../util/backoff.js";
import { sleep } from "../util/sleep.js";

/** One attempt, counted from when its token is granted. Notion itself gives up at 60 s. */
export const NOTION_ATTEMPT_TIMEOUT_MS = 30_000;
export const NOTION_MAX_ATTEMPTS = 6;
export const NOTION_BACKOFF_BASE_MS = 500;
export const NOTION_BACKOFF_MAX_MS = 30_000;
/**
 * Share of the configured rate actually spent. Requests leave evenly spaced,
 * but Notion counts arrivals, and a few ms of jitter on a budget spent to the
 * last token would be a 429.
 */
export const NOTION_PACING_HEADROOM = 0.98;
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
   * fails with `notion_write_ambiguous`.
   */
  write<T>(operation: string, run: (client: Client) => Promise<T>, recover?: RecoverWrite<T>): Promise<T>;
  /** The data source of a database (`data_sources[0]`), cached for the process. */
  dataSourceId(databaseId: string): Promise<string>;
};

export type NotionGatewayOptions = {
  token: string;
  baseUrl: string;
  ratePerSecond: number;
  db: Store;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
  attemptTimeoutMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  signal?: AbortSignal;
  onSend?: (method: string, url: string) => void;
  /** Which lane of the shared bucket this gateway's requests queue in: `bulk` yields to any waiting `live`. @default "live" */
  lane?: BucketLane;
  /**
   * Called after every request Notion answered with success: the server
   * wakes work waiting on backoff with it (Notion is back). It must not throw;
   * if it does, the error is logged and the request still succeeds.
   */
  onSuccess?: () => void;
};

export function createNotionGateway(options: NotionGatewayOptions): NotionGateway {
  const { logger, signal, maxAttempts = NOTION_MAX_ATTEMPTS, backoffBaseMs = NOTION_BACKOFF_BASE_MS } = options;
  const log = logger.child({ area: "notion" });
  const bucket = createTokenBucket({
    db: options.db,
    name: "notion",
    ratePerSecond: options.ratePerSecond * NOTION_PACING_HEADROOM,
    ...(options.lane && { lane: options.lane }),
  });
  const client = new Client({
    auth: options.token,
    baseUrl: options.baseUrl,
    notionVersion: NOTION_VERSION,
    // Retries are decided in `attempt` below; the SDK's would stack with them.
    retry: false,
    timeoutMs: SDK_TIMEOUT_DISABLED_MS,
    fetch: createPacedFetch({
      bucket,
      timeoutMs: options.attemptTimeoutMs ?? NOTION_ATTEMPT_TIMEOUT_MS,
      ...(options.fetch && { fetch: options.fetch }),
      ...(signal && { signal }),
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
    for (let attemptNumber = 1; ; attemptNumber++) {
      let failure: Failure;
      try {
        const value = await run(client);
        notifySuccess();
        return value;
      } catch (error) {
        signal?.throwIfAborted();
        failure = classifyFailure(error);
        const context = { operation, attempt: attemptNumber, ...failure };
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
          log.warn({ ...context, rateLimitReason: failure.reason }, "notion throttled the request");
        } else {
          log.warn(context, "notion request failed");
        }
        if (isWrite && failure.kind === "ambiguous") {
          const settled = await settleAmbiguousWrite(operation, failure, recover, error, attemptNumber);
          if (settled.done) return settled.value;
        }
        if (attemptNumber >= maxAttempts) {
          throw new NotionGatewayError(
            "notion_unavailable",
            `Notion did not complete ${operation} after ${attemptNumber} attempts: ${failure.reason}`,
            detailsOf(operation, failure, attemptNumber),
            { cause: error },
          );
        }
      }
      await sleep(delayBefore(attemptNumber, failure), signal);
    }
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

  function delayBefore(attemptNumber: number, failure: Failure): number {
    // Retry-After is Notion's word on when to come back, however long.
    if (failure.kind === "throttled" && failure.retryAfterMs !== undefined) return failure.retryAfterMs;
    return backoffDelayMs(attemptNumber, backoffBaseMs, NOTION_BACKOFF_MAX_MS);
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

/** The gateway as every command builds it: token, base URL and rate from the settings. */
export function notionGatewayFromConfig(
  config: { NOTION_TOKEN: string; NOTION_BASE_URL: string; NOTION_RATE_LIMIT_RPS: number },
  options: Omit<NotionGatewayOptions, "token" | "baseUrl" | "ratePerSecond">,
): NotionGateway {
  return createNotionGateway({
    token: config.NOTION_TOKEN,
    baseUrl: config.NOTION_BASE_URL,
    ratePerSecond: config.NOTION_RATE_LIMIT_RPS,
    ...options,
  });
}
