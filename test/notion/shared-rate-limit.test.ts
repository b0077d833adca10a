import { afterEach, beforeEach, expect, it } from "vitest";
import { runTsFile } from "../support/run-node.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";

const RATE_PER_SECOND = 3;
const PER_PROCESS = 7;
// The project's bucket spends 98% of the rate: one token every 340 ms at 3 req/s.
const TOKEN_INTERVAL_MS = 1000 / (RATE_PER_SECOND * 0.98);
// setTimeout may fire up to a millisecond early relative to Date.now().
const CLOCK_SLACK_MS = 2;

let crm: CrmEmulator;
let dir: ReturnType<typeof makeTempDir>;
beforeEach(async () => {
  crm = await startCrmEmulator({ rateLimitPerSecond: RATE_PER_SECOND });
  dir = makeTempDir();
});
afterEach(async () => {
  await crm.stop();
  dir.remove();
});

it("keeps two OS processes sharing one DATA_DIR under the rate together: Notion answers no 429", async () => {
  const env = {
    NOTION_TOKEN: crm.emulator.token,
    NOTION_BASE_URL: crm.emulator.url,
    NOTION_CONTACTS_DB_ID: crm.databases.contacts,
    NOTION_RATE_LIMIT_RPS: String(RATE_PER_SECOND),
    DATA_DIR: dir.path,
    LOAD_COUNT: String(PER_PROCESS),
  };
  const start = Date.now();
  const results = await Promise.all([
    runTsFile("scripts/bench/notion-load-worker.ts", { env }),
    runTsFile("scripts/bench/notion-load-worker.ts", { env }),
  ]);
  for (const result of results)
    expect(result, result.stderr).toMatchObject({ code: 0, stdout: `done ${PER_PROCESS}\n` });

  const times = crm.emulator.stats.requests.map((request) => request.at).sort((a, b) => a - b);
  expect(times).toHaveLength(2 * PER_PROCESS);
  expect(crm.emulator.stats.rateLimited).toBe(0);
  // However the two processes interleave, the k-th request cannot arrive before k
  // tokens of the one shared budget: measured from before either process started,
  // so a busy machine can only make arrivals later, never make this fail.
  times.forEach((time, k) => expect(time - start).toBeGreaterThanOrEqual(k * TOKEN_INTERVAL_MS - CLOCK_SLACK_MS));
}, 40_000);
