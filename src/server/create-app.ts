import express, { type ErrorRequestHandler, type Express, type Router } from "express";
import type { Logger } from "../log/create-logger.js";
import { createStoreProbe } from "../store/create-store-probe.js";
import type { Store } from "../store/open-store.js";
import { requestLogger } from "../http/request-logger.js";

export type AppDependencies = {
  db: Store;
  logger: Logger;
  /** The feature routes (leads, Notion webhooks), mounted at the root. */
  routes?: readonly Router[];
};

/** The HTTP surface. Routes stay thin: each hands its work to one use-case function. */
export function createApp({ db, logger, routes = [] }: AppDependencies): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
  app.use(requestLogger(logger));

  // Never calls Notion: it says whether this process can still keep what it accepts (a write, not a read).
  const canStore = createStoreProbe(db);
  app.get("/healthz", (req, res) => {
    const health = canStore();
    if (health.ok) {
      res.json({ status: "ok" });
      return;
    }
    req.log.error({ reason: health.reason }, "health check failed: the state file cannot take a write");
    res
      .status(503)
      .json({ status: "unavailable", error: "the state file cannot take a write; leads would be refused" });
  });

  for (const route of routes) app.use(route);

  app.use((_req, res) => {
    res.status(404).json({ error: "not found" });
  });
  app.use(errorHandler(logger));
  return app;
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = httpStatusOf(error);
    if (status >= 500) (req.log ?? logger).error({ err: error }, "request failed");
    if (res.headersSent) return;
    res.status(status).json({ error: status >= 500 ? "internal error" : errorMessage(error) });
  };
}

function httpStatusOf(error: unknown): number {
  const status =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" && status >= 400 && status < 600 ? status : 500;
}

// body-parser marks the errors it raises (413, 415, aborted requests) as safe to show.
function errorMessage(error: unknown): string {
  const exposed = error instanceof Error && (error as { expose?: unknown }).expose === true;
  return exposed ? error.message : "bad request";
}
