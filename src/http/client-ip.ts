import { isIP } from "node:net";

/** What the helper reads of a request: Express's `req.ip` and the socket's own peer. */
export type IpSource = { ip?: string | undefined; socket?: { remoteAddress?: string | undefined } };

/**
 * The visitor's address, the one rule for every route that counts or reports
 * senders. Express resolves `req.ip` from `X-Forwarded-For` only when the
 * peer is on loopback (`trust proxy` is "loopback" in createApp): that is
 * Caddy, which sets the header to the visitor's address (see the
 * repository's Caddyfile). A peer elsewhere is taken as it connects, so a
 * visitor cannot name an address of their choosing. IPv4-mapped IPv6
 * (`::ffff:203.0.113.7`) is written as plain IPv4.
 */
export function clientIp(req: IpSource): string | undefined {
  const address = req.ip ?? req.socket?.remoteAddress;
  if (address === undefined || address === "") return undefined;
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return isIP(plain) === 0 ? undefined : plain;
}
