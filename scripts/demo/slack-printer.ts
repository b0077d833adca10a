import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { SlackMessage } from "../../src/slack/slack-message.js";
import { renderSlackMessage } from "./render-slack-message.js";

/** A loopback "Slack": every message posted to it is printed as it would look, and counted. */
export async function startSlackPrinter(
  print: (text: string) => void,
): Promise<{ url: string; count: () => number; lastRaw: () => string; stop: () => Promise<void> }> {
  let count = 0;
  let lastRaw = "";
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    req.on("end", () => {
      count++;
      lastRaw = raw;
      print(
        `\n  💬 Slack message:\n${renderSlackMessage(JSON.parse(raw) as SlackMessage, { color: process.stdout.isTTY === true })}\n`,
      );
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/DEMO/DEMO/demo`,
    count: () => count,
    lastRaw: () => lastRaw,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
