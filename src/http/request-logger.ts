import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import type { Logger } from "../log/create-logger.js";

declare module "express-serve-static-core" {
  interface Request {
    /** A child logger carrying this request's id. */
    log: Logger;
    id: string;
  }
}

const REQUEST_ID_PATTERN = /^[\w.:-]{1,100}$/;
export const PATH_LOG_MAX_CHARS = 200;

/** Gives every request an id (the proxy's X-Request-Id when sane) and logs one line when it ends. */
export function requestLogger(logger: Logger): RequestHandler {
  const log = logger.child({ area: "http" });
  return (req, res, next) => {
    const incoming = req.get("x-request-id");
    req.id = incoming !== undefined && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    req.log = log.child({ requestId: req.id });
    res.setHeader("x-request-id", req.id);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info(
        {
          method: req.method.slice(0, 20),
          // A stranger chooses the path: only a bounded prefix is logged.
          path: req.path.slice(0, PATH_LOG_MAX_CHARS),
          status: res.statusCode,
          durationMs: Math.round(durationMs * 10) / 10,
        },
        "request done",
      );
    });
    next();
  };
}
