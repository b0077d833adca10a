// The tests run commands exactly as the demo does, but each in an empty
// working directory of its own, so a `.env` in the repository (a user's, after
// following README) is never read.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTsFile as runInDirectory, type ProcessResult, type RunOptions } from "../../scripts/lib/run-ts-file.js";
import { spawnServer as spawnInDirectory, type SpawnedServer } from "../../scripts/lib/spawn-server.js";

export { REPO_ROOT, tsxArgs, type ProcessResult } from "../../scripts/lib/run-ts-file.js";

/** An empty directory for a spawned command to run in; call the returned function to delete it. */
export function isolatedCwd(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), "crm-cwd-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs a project file in its own process, by default in an empty directory of its own. */
export async function runTsFile(file: string, options: RunOptions = {}): Promise<ProcessResult> {
  if (options.cwd !== undefined) return runInDirectory(file, options);
  const cwd = isolatedCwd();
  try {
    return await runInDirectory(file, { ...options, cwd: cwd.path });
  } finally {
    cwd.remove();
  }
}

/** Runs the server entry point in its own process, by default in an empty directory of its own. */
export async function spawnServer(
  env: Record<string, string>,
  options: Parameters<typeof spawnInDirectory>[1] = {},
): Promise<SpawnedServer> {
  if (options.cwd !== undefined) return spawnInDirectory(env, options);
  const cwd = isolatedCwd();
  const server = await spawnInDirectory(env, { ...options, cwd: cwd.path }).catch((error: unknown) => {
    cwd.remove();
    throw error;
  });
  return {
    ...server,
    kill: async (signal) => {
      await server.kill(signal);
      cwd.remove();
    },
  };
}
