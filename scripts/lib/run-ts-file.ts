import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export type ProcessResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };
export type RunOptions = {
  env?: Record<string, string>;
  args?: readonly string[];
  /** Where the command runs, and so which `.env` it reads. @default the repository root */
  cwd?: string;
  timeoutMs?: number;
};

/** Node's arguments to run one of the project's TypeScript files through tsx, from any working directory. */
export function tsxArgs(file: string, args: readonly string[] = []): string[] {
  return ["--import", import.meta.resolve("tsx"), resolve(REPO_ROOT, file), ...args];
}

/** Runs a TypeScript file of the project in its own Node process and collects its output. */
export function runTsFile(
  file: string,
  { env = {}, args = [], cwd = REPO_ROOT, timeoutMs = 60_000 }: RunOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, tsxArgs(file, args), {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}
