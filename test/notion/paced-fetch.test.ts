import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createPacedFetch } from "../../src/notion/paced-fetch.js";
import { REPO_ROOT, tsxArgs } from "../support/run-node.js";

const noLimiter = { take: async () => () => {}, pauseUntil: () => {} };

function runWithGc(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", ...tsxArgs(file)], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("the paced fetch's per-request timeout", () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  it("still fires after garbage collections while Notion hangs", async () => {
    const result = await runWithGc("test/notion/fixtures/paced-fetch-under-gc.ts");
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ result: "TimeoutError" });
  });

  it("covers the body: a response whose body stalls is cut short", async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"object":');
      // The rest never comes.
    });
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server!.once("listening", resolve));
    const { port } = server.address() as AddressInfo;
    const fetch = createPacedFetch({ limiter: noLimiter, timeoutMs: 100 });
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ name: "TimeoutError" });
  });

  it("hands the SDK the status, headers and body of an answer", async () => {
    server = createServer((_req, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
      res.end('{"object":"error","code":"rate_limited"}');
    });
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server!.once("listening", resolve));
    const { port } = server.address() as AddressInfo;
    const fetch = createPacedFetch({ limiter: noLimiter, timeoutMs: 1_000 });
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(await response.json()).toEqual({ object: "error", code: "rate_limited" });
  });

  it.each([
    ["the Retry-After header", { "retry-after": "120" }, { rate_limit_reason: "public_api_space_request_rate_limit" }],
    [
      "additional_data.retry_after alone",
      {},
      { rate_limit_reason: "public_api_endpoint_rate_limit", retry_after: 120 },
    ],
  ] as const)("pauses the shared limiter for a 429's wait read from %s", async (_case, headers, data) => {
    server = createServer((_req, res) => {
      res.writeHead(429, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify({ object: "error", status: 429, code: "rate_limited", additional_data: data }));
    });
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server!.once("listening", resolve));
    const { port } = server.address() as AddressInfo;
    const pauses: Array<[number, string]> = [];
    const limiter = {
      take: async () => () => {},
      pauseUntil: (untilMs: number, reason: string) => void pauses.push([untilMs, reason]),
    };
    const fetch = createPacedFetch({ limiter, timeoutMs: 1_000, now: () => 1_000_000 });
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(429);
    expect(pauses).toEqual([[1_000_000 + 120_000, data.rate_limit_reason]]);
  });

  it("does not pause for a blocked connection: waiting does not lift a block", async () => {
    server = createServer((_req, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "60" });
      res.end(
        JSON.stringify({
          object: "error",
          code: "rate_limited",
          additional_data: { rate_limit_reason: "public_api_request_blocked" },
        }),
      );
    });
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server!.once("listening", resolve));
    const { port } = server.address() as AddressInfo;
    const pauses: number[] = [];
    const fetch = createPacedFetch({
      limiter: { take: async () => () => {}, pauseUntil: (ms) => void pauses.push(ms) },
      timeoutMs: 1_000,
    });
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(429);
    expect(pauses).toEqual([]);
  });

  it("is cut short at shutdown", async () => {
    server = createServer(() => {});
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server!.once("listening", resolve));
    const { port } = server.address() as AddressInfo;
    const shutdown = new AbortController();
    const fetch = createPacedFetch({ limiter: noLimiter, timeoutMs: 60_000, signal: shutdown.signal });
    const pending = fetch(`http://127.0.0.1:${port}/`);
    setTimeout(() => shutdown.abort(new Error("server stopping")), 50);
    await expect(pending).rejects.toThrow("server stopping");
  });
});
