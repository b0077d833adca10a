import type { RequestHandler } from "express";

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** 415 for anything but JSON, before a byte of the body is read. */
export const requireJson: RequestHandler = (req, res, next) => {
  if (JSON_CONTENT_TYPE.test(req.get("content-type") ?? "")) {
    next();
    return;
  }
  res.status(415).json({ error: "Content-Type must be application/json" });
};
