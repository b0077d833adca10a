// Runs the repository's own Caddyfile with a real `caddy` binary (Debian's
// package; `.ci/run` installs it), for tests that go through the proxy the
// way production traffic does.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { REPO_ROOT } from "./run-node.js";
import { makeTempDir } from "./temp-dir.js";

export const SHIPPED_CADDYFILE = join(REPO_ROOT, "Caddyfile");
const SHIPPED_HOST = /^crm\.example\.com \{$/m;
const SHIPPED_UPSTREAM = "reverse_proxy 127.0.0.1:3000";

/** The `caddy` binary on PATH, or undefined when there is none. */
export function findCaddy(path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, "caddy");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * The shipped Caddyfile with only what a test must change: the host name
 * becomes a plain-HTTP loopback address (so no TLS), the upstream the test
 * server's port, and the admin endpoint is off.
 */
export function caddyfileForTest(shipped: string, { listen, upstream }: { listen: string; upstream: string }): string {
  if (!SHIPPED_HOST.test(shipped) || !shipped.includes(SHIPPED_UPSTREAM)) {
    throw new Error("the Caddyfile no longer has the `crm.example.com {` site or the 127.0.0.1:3000 upstream");
  }
  const site = shipped
    .replace(SHIPPED_HOST, `http://${listen} {`)
    .replaceAll(SHIPPED_UPSTREAM, `reverse_proxy ${upstream}`);
  return `{\n\tadmin off\n}\n\n${site}`;
}

export type RunningCaddy = { port: number; output: () => string; stop(): Promise<void> };

/** Starts caddy on a free loopback port in front of `upstream`; waits until it answers. */
export async function startCaddy(binary: string, upstream: string): Promise<RunningCaddy> {
  const port = await freePort();
  const dir = makeTempDir("crm-caddy-");
  const file = join(dir.path, "Caddyfile");
  writeFileSync(
    file,
    caddyfileForTest(readFileSync(SHIPPED_CADDYFILE, "utf8"), { listen: `127.0.0.1:${port}`, upstream }),
  );
  // Its own HOME and XDG folders: nothing of the machine's Caddy (certificates, autosave) is read or written.
  const child = spawn(binary, ["run", "--config", file, "--adapter", "caddyfile"], {
    env: { PATH: process.env.PATH ?? "", HOME: dir.path, XDG_CONFIG_HOME: dir.path, XDG_DATA_HOME: dir.path },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const stop = async () => {
    await stopProcess(child);
    dir.remove();
  };
  try {
    await waitUntilListening(child, port, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, output: () => output, stop };
}

async function waitUntilListening(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`caddy exited (${child.exitCode}):\n${output()}`);
    if (await answers(port)) return;
    if (Date.now() > deadline) throw new Error(`caddy did not answer on port ${port}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("error", () => resolve(false));
    req.end();
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export type ProxiedResponse = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

/**
 * One HTTP request from a chosen loopback address (127.0.0.2 and the like
 * stand for different visitors). A body is sent only after the server asks
 * for it (`Expect: 100-continue`), so a refusal on the headers is read
 * rather than lost to a reset connection.
 */
export function send(
  port: number,
  {
    method = "POST",
    path,
    headers = {},
    body,
    from = "127.0.0.1",
  }: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; from?: string },
): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
    let answered = false;
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        localAddress: from,
        agent: false,
        headers: {
          ...headers,
          ...(bytes && { "Content-Length": String(bytes.length), Expect: "100-continue" }),
        },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    if (bytes === undefined) req.end();
    else req.once("continue", () => req.end(bytes));
  });
}
