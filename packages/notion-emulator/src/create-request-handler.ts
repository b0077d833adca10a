import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { EmulatorContext, RouteResult } from "./emulator-context.js";
import { SAVED_WRITE_GUIDANCE, type FaultController, type FaultSpec } from "./emulator-faults.js";
import { NOTION_VERSIONS } from "./emulator-limits.js";
import type { StatsRecorder } from "./emulator-stats.js";
import { errorForStatus, proxyErrorPage, rateLimitedError } from "./error-responses.js";
import {
  NotionApiError,
  isNotionApiError,
  toErrorBody,
  validationError,
  type AdditionalData,
} from "./notion-api-error.js";
import { readJsonBody } from "./read-json-body.js";
import { matchRoute } from "./route-table.js";
import type { RequestRateLimit } from "./request-rate-limit.js";

// A blocked connection still gets a Retry-After; waiting it out does not help.
const BLOCKED_RETRY_AFTER_S = 60;

export type RequestHandlerDeps = {
  token: string;
  context: EmulatorContext;
  faults: FaultController;
  stats: StatsRecorder;
  bucketFor(token: string): RequestRateLimit;
  /** Aborted by stop(), so latency sleeps end with the server. */
  signal: AbortSignal;
};

/**
 * One request, in the order a client meets them at Notion: the proxy (injected
 * outages and faults), authentication, the rate limit, the version header,
 * then the body and the endpoint itself.
 */
export function createRequestHandler(deps: RequestHandlerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const entry = deps.stats.record(method, url.pathname, url.search);
    const requestId = randomUUID();
    const send = (status: number, body: string, headers: Record<string, string>) => {
      entry.status = status;
      if (res.destroyed || res.headersSent) return;
      res.writeHead(status, { "x-notion-request-id": requestId, ...headers });
      res.end(body);
    };
    const sendError = (error: NotionApiError) =>
      send(error.status, JSON.stringify(toErrorBody(error, requestId)), {
        "content-type": "application/json; charset=utf-8",
        ...error.headers,
      });

    try {
      if (deps.faults.latencyMs > 0) await sleep(deps.faults.latencyMs, undefined, { signal: deps.signal });
      const outage = deps.faults.currentOutage(Date.now());
      if (outage !== undefined) {
        const retryAfterSeconds =
          outage.retryAfterSeconds ??
          (outage.status === 529 ? Math.max(1, Math.ceil((outage.untilMs - Date.now()) / 1000)) : undefined);
        return sendError(errorForStatus(outage.status, retryAfterSeconds === undefined ? {} : { retryAfterSeconds }));
      }
      const fault = deps.faults.takeFault(method, url.pathname);
      if (fault?.kind === "drop") return void req.socket.destroy();
      if (fault?.kind === "hang") return;
      if (fault?.kind === "html") {
        return send(fault.status ?? 502, proxyErrorPage(fault.status ?? 502), { "content-type": "text/html" });
      }
      if (fault?.kind === "status") return sendError(faultError(fault, fault.status ?? 500));
      if (fault?.kind === "rate_limited") {
        return sendError(
          rateLimitedError(fault.reason ?? "public_api_request_rate_limit", fault.retryAfterSeconds ?? 1),
        );
      }

      checkAuthorization(req.headers.authorization, deps.token);
      if (deps.faults.blocked) return sendError(rateLimitedError("public_api_request_blocked", BLOCKED_RETRY_AFTER_S));
      const waitMs = deps.bucketFor(deps.token).take();
      if (waitMs > 0) {
        deps.stats.countRateLimited();
        return sendError(rateLimitedError("public_api_request_rate_limit", Math.max(1, Math.ceil(waitMs / 1000))));
      }
      checkVersion(req.headers["notion-version"]);
      const route = matchRoute(method, url.pathname);
      if (route === undefined) throw new NotionApiError(400, "invalid_request_url", "Invalid request URL.");
      // GET bodies are ignored, as Notion does; Node discards what nobody reads.
      const body = method === "GET" ? {} : await readJsonBody(req);
      const result: RouteResult = route.handler(
        { method, params: route.params, query: url.searchParams, body },
        deps.context,
      );
      if (fault?.kind === "commit-then-fail") return sendError(committedFaultError(fault, result));
      if (fault?.kind === "saved-then-503") {
        return sendError(
          committedFaultError(
            { ...fault, status: 503, additionalData: { retry_guidance: SAVED_WRITE_GUIDANCE } },
            result,
          ),
        );
      }
      send(result.status ?? 200, JSON.stringify(result.body), { "content-type": "application/json; charset=utf-8" });
    } catch (error) {
      if (deps.signal.aborted) return;
      if (isNotionApiError(error)) return sendError(error);
      const message = error instanceof Error ? error.message : String(error);
      sendError(new NotionApiError(500, "internal_server_error", `Emulator bug: ${message}`));
    }
  };
}

function checkAuthorization(header: string | undefined, token: string): void {
  if (header !== `Bearer ${token}`) throw new NotionApiError(401, "unauthorized", "API token is invalid.");
}

function checkVersion(header: string | string[] | undefined): void {
  if (header === undefined) {
    throw new NotionApiError(
      400,
      "missing_version",
      "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.",
    );
  }
  if (typeof header !== "string" || !NOTION_VERSIONS.includes(header)) {
    throw validationError(
      `Notion-Version header failed validation: Notion-Version header should be one of ${NOTION_VERSIONS.map((v) => `"${v}"`).join(", ")} (the versions this emulator speaks), instead was \`${JSON.stringify(header)}\`.`,
    );
  }
}

function faultError(fault: FaultSpec, status: number, extraData: AdditionalData = {}): NotionApiError {
  const additionalData = { ...fault.additionalData, ...extraData };
  return errorForStatus(status, {
    ...(fault.code === undefined ? {} : { code: fault.code }),
    ...(fault.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: fault.retryAfterSeconds }),
    ...(Object.keys(additionalData).length === 0 ? {} : { additionalData }),
  });
}

function committedFaultError(fault: FaultSpec, result: RouteResult): NotionApiError {
  const committed: Record<string, string> =
    fault.includeCommittedResourceId === true && result.committedResourceId !== undefined
      ? { committed_resource_id: result.committedResourceId }
      : {};
  return faultError(fault, fault.status ?? 500, committed);
}
