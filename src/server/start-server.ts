import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";

export type RunningServer = {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets requests in flight finish, then closes idle connections. */
  close(): Promise<void>;
};

export async function startServer(
  app: Express,
  { host, port }: { host: string; port: number },
): Promise<RunningServer> {
  const server: Server = app.listen(port, host);
  await once(server, "listening");
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
