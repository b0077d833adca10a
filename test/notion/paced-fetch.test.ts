import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createPacedFetch } from "../../src/notion/paced-fetch.js";
import { REPO_ROOT, tsxArgs } from "../support/run-node.js";

const noBucket = { take: async () => 0 };

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
    const fetch = createPacedFetch({ bucket: noBucket, timeoutMs: 100 });
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
    const fetch = createPacedFetch({ bucket: noBucket, timeoutMs: 1_000 });
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(await response.json()).toEqual({ object: "error", code: "rate_limited" });
  });

  it("is cut short at shutdown", async () => {
    server = createServer(() => {});
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server!.once("listening", resolve));
    const { port } = server.address() as AddressInfo;
    const shutdown = new AbortController();
    const fetch = createPacedFetch({ bucket: noBucket, timeoutMs: 60_000, signal: shutdown.signal });
    const pending = fetch(`http://127.0.0.1:${port}/`);
    setTimeout(() => shutdown.abort(new Error("server stopping")), 50);
    await expect(pending).rejects.toThrow("server stopping");
  });
});
