import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterEach, beforeEach, expect, it } from "vitest";
import { eventually } from "../support/crm-harness.js";
import { REPO_ROOT, tsxArgs } from "../support/run-node.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";

const REQUESTS_PER_MINUTE = 10;
// Each process alone stays within the budget; together they would pass it.
const PER_PROCESS = 8;

let crm: CrmEmulator;
let dir: ReturnType<typeof makeTempDir>;
const children: ChildProcess[] = [];
beforeEach(async () => {
  crm = await startCrmEmulator({ requestsPerMinute: REQUESTS_PER_MINUTE });
  dir = makeTempDir();
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "close");
    }
  }
  await crm.stop();
  dir.remove();
});

it("keeps two OS processes sharing one DATA_DIR within one budget together: the budget goes at once, the rest waits a window, Notion answers no 429", async () => {
  const env = {
    PATH: process.env.PATH ?? "",
    NOTION_TOKEN: crm.emulator.token,
    NOTION_BASE_URL: crm.emulator.url,
    NOTION_CONTACTS_DB_ID: crm.databases.contacts,
    NOTION_REQUESTS_PER_MINUTE: String(REQUESTS_PER_MINUTE),
    DATA_DIR: dir.path,
    LOAD_COUNT: String(PER_PROCESS),
  };
  let stderr = "";
  for (let i = 0; i < 2; i++) {
    const child = spawn(process.execPath, tsxArgs("scripts/bench/notion-load-worker.ts"), {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    children.push(child);
  }
  await eventually(
    () => expect(crm.emulator.stats.requests.length, stderr).toBeGreaterThanOrEqual(REQUESTS_PER_MINUTE),
    {
      timeoutMs: 30_000,
    },
  );
  // The next request is due a whole window (61 s) after the first; a busy machine cannot make it come sooner.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(crm.emulator.stats.requests).toHaveLength(REQUESTS_PER_MINUTE);
  expect(crm.emulator.stats.rateLimited).toBe(0);
  // Both processes sent: each begins with one databases.retrieve (its data source, cached for the process).
  expect(crm.emulator.stats.count({ method: "GET", path: /^\/v1\/databases\// })).toBe(2);
  // Together they had more to send than the budget: the rest waits for the window, so one at least has not
  // finished, and neither failed (a process that crashed would have sent less, not waited).
  expect(children.filter((child) => child.exitCode === null).length, stderr).toBeGreaterThanOrEqual(1);
  expect(
    children.filter((child) => child.exitCode !== null && child.exitCode !== 0),
    stderr,
  ).toEqual([]);
  expect(
    children.filter((child) => child.signalCode !== null),
    stderr,
  ).toEqual([]);
}, 40_000);
