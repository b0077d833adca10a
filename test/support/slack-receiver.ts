import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type SlackReply = { status: number; body?: string; headers?: Record<string, string> };
export type ReceivedSlackMessage = { at: number; body: { text: string; blocks?: unknown[] }; raw: string };

/** A loopback stand-in for a Slack incoming webhook: records what it gets, answers as scripted (default 200 "ok"). */
export async function startSlackReceiver(): Promise<{
  url: string;
  received: ReceivedSlackMessage[];
  /** Every request, delivered or refused. */
  attempts: () => number;
  replyNext(...replies: SlackReply[]): void;
  stop(): Promise<void>;
}> {
  const received: ReceivedSlackMessage[] = [];
  const replies: SlackReply[] = [];
  let attempts = 0;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    req.on("end", () => {
      attempts++;
      const reply = replies.shift() ?? { status: 200, body: "ok" };
      if (reply.status === 200)
        received.push({ at: Date.now(), body: JSON.parse(raw) as ReceivedSlackMessage["body"], raw });
      res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers }).end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/test-hook-secret`,
    received,
    attempts: () => attempts,
    replyNext: (...next) => void replies.push(...next),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
