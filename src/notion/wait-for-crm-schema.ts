import type { Logger } from "../log/create-logger.js";
import { backoffDelayMs } from "../util/backoff.js";
import { sleep } from "../util/sleep.js";
import { assertCrmSchema, type CrmDatabaseIds, type CrmSchemaReport } from "./check-crm-schema.js";

export const SCHEMA_RETRY_BASE_MS = 5_000;
export const SCHEMA_RETRY_MAX_MS = 5 * 60_000;

/**
 * Checks the schema until it passes. Used when Notion was unreachable at
 * start: the server accepts and queues leads meanwhile, and a schema that is
 * wrong is reported loudly on every try, since a person may be fixing it.
 */
export async function waitForCrmSchema(
  notion: Parameters<typeof assertCrmSchema>[0],
  ids: CrmDatabaseIds,
  {
    logger,
    signal,
    retryBaseMs = SCHEMA_RETRY_BASE_MS,
  }: { logger: Logger; signal?: AbortSignal; retryBaseMs?: number },
): Promise<CrmSchemaReport> {
  for (let attempt = 1; ; attempt++) {
    await sleep(backoffDelayMs(attempt, retryBaseMs, SCHEMA_RETRY_MAX_MS), signal);
    try {
      const report = await assertCrmSchema(notion, ids);
      logger.info({ attempt }, "Notion reachable and schema checked; sending queued leads");
      return report;
    } catch (error) {
      signal?.throwIfAborted();
      logger.error({ err: error, attempt }, "Notion schema check failed; leads stay queued until it passes");
    }
  }
}
