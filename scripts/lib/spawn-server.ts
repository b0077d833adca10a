import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import { REPO_ROOT, tsxArgs } from "./run-ts-file.js";

/**
 * Node's flags for the production server, exactly as `npm start` and
 * deploy/notion-crm.service pass them (a test keeps the three the same).
 * V8's default young generation (16 MB semi-spaces) is sized for throughput
 * on large machines; during a burst of requests that each wait for Notion it
 * was most of the peak RSS. 1 MB semi-spaces keep a 2,000-lead burst under
 * 120 MB at no measurable cost in answer times.
 */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=1"] as const;

export type SpawnedServer = {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Kills the process (SIGKILL by default) and waits for it to be gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
};

/** Runs the real server entry point as its own OS process and waits until it logs that it listens. */
export async function spawnServer(
  env: Record<string, string>,
  {
    timeoutMs = 20_000,
    cwd = REPO_ROOT,
    compiled = false,
  }: { timeoutMs?: number; cwd?: string; compiled?: boolean } = {},
): Promise<SpawnedServer> {
  // compiled: the production entry point (`npm start`), which `npm run build` must have made.
  const args = compiled ? [...SERVER_NODE_FLAGS, resolve(REPO_ROOT, "dist/src/main.js")] : tsxArgs("src/main.ts");
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit");
  const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), timeoutMs);
    const onData = () => {
      const match = /"msg":"server listening"/.test(output) ? /"url":"([^"]+)"/.exec(output) : null;
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        resolve(match[1]);
      }
    };
    child.stdout!.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await kill();
    throw error;
  });
  return { url, child, output: () => output, kill };
}
