import type { Request } from "express";

/** The sender's address as the app's `trust proxy` resolves it, IPv4 written plainly. */
export function clientIp(req: Request): string | undefined {
  return req.ip?.replace(/^::ffff:/, "");
}
