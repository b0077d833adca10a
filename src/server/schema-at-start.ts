import { alertOperator, type OperatorAlert } from "../alerts/alert-operator.js";
import type { Logger } from "../log/create-logger.js";
import { describeFailure } from "../notion/describe-failure.js";
import {
  assertCrmSchema,
  NotionSchemaError,
  type CrmDatabaseIds,
  type CrmSchemaReport,
} from "../notion/check-crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { waitForCrmSchema } from "../notion/wait-for-crm-schema.js";
import type { SlackOutbox } from "../slack/slack-outbox.js";

/**
 * How long a start waits for the first schema check before going on without
 * it. A check that answers "wrong schema" or "token refused" within it stops
 * the start, naming the problem; after it, the same answer is an alert.
 */
export const STARTUP_SCHEMA_WAIT_MS = 2_000;

/** The first check's answer: passed, wrong (schema or token: a person must act), or Notion unreachable. */
export type SchemaCheck =
  | { kind: "passed"; report: CrmSchemaReport }
  | { kind: "wrong"; error: unknown }
  | { kind: "unreachable"; error: unknown };

export function checkSchema(notion: NotionGateway, databases: CrmDatabaseIds): Promise<SchemaCheck> {
  return assertCrmSchema(notion, databases).then(
    (report) => ({ kind: "passed", report }),
    (error: unknown) =>
      isNotionGatewayError(error) && error.retryable ? { kind: "unreachable", error } : { kind: "wrong", error },
  );
}

/** The promise's value if it settles within `ms`, else undefined (it goes on settling). */
export function answeredWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export type SchemaAtStartOptions = {
  notion: NotionGateway;
  databases: CrmDatabaseIds;
  logger: Logger;
  /** The server's shutdown signal: it cuts a retried check short. */
  signal: AbortSignal;
  /** Aborted once the server begins stopping: nothing is retried or alerted after it. */
  stopping: AbortSignal;
  /** Where the operator alert for a wrong schema or refused token goes. */
  slack: { outbox: SlackOutbox; notify: () => void };
  schemaRetryBaseMs?: number;
};

/**
 * The schema the workers write to, once known. The start went on without a
 * wrong answer from `firstCheck` (`early` is its answer if it came in time):
 * if Notion is unreachable the check is retried; if the schema or token is
 * wrong the operator is alerted, then it is retried too. Rejects if the
 * server stops first.
 */
export async function schemaAtStart(
  firstCheck: Promise<SchemaCheck>,
  early: SchemaCheck | undefined,
  { notion, databases, logger, signal, stopping, slack, schemaRetryBaseMs }: SchemaAtStartOptions,
): Promise<CrmSchemaReport> {
  if (early === undefined)
    logger.warn("Notion has not answered the schema check yet: leads are accepted and queued meanwhile");
  const first = early ?? (await firstCheck);
  stopping.throwIfAborted();
  if (first.kind === "passed") return first.report;
  if (first.kind === "unreachable") {
    logger.warn(
      { err: first.error },
      "Notion is unreachable at start: leads are accepted and queued, and the schema check is retried",
    );
  } else {
    alertOperator({ outbox: slack.outbox, notify: slack.notify, logger }, schemaAlert(first.error));
  }
  return waitForCrmSchema(notion, databases, {
    logger,
    signal,
    ...(schemaRetryBaseMs !== undefined && { retryBaseMs: schemaRetryBaseMs }),
  });
}

/** The operator alert for a schema or token found wrong after the server went on without it. */
function schemaAlert(error: unknown): OperatorAlert {
  const meanwhile =
    "The server accepts and stores leads but writes nothing to Notion until this is fixed; it checks again by itself.";
  if (error instanceof NotionSchemaError)
    return { title: "The Notion databases do not match the expected schema", problems: error.problems, meanwhile };
  return { title: "Notion refuses the CRM's requests", problems: [describeFailure(error)], meanwhile };
}

/** Runs `then` once the schema is known, unless the server stopped first. */
export function whenKnown(
  schema: Promise<CrmSchemaReport>,
  signal: AbortSignal,
  then: (report: CrmSchemaReport) => void,
): void {
  // A rejected wait was aborted: the server is stopping.
  schema.then(
    (report) => {
      if (!signal.aborted) then(report);
    },
    () => undefined,
  );
}
