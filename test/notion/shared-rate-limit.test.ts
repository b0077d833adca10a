import { afterEach, beforeEach, expect, it } from "vitest";
import { runTsFile } from "../support/run-node.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";

const RATE_PER_SECOND = 3;
const PER_PROCESS = 7;
const SEND_DELAY_ALLOWANCE_MS = 60;

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
  const results = await Promise.all([
    runTsFile("scripts/bench/notion-load-worker.ts", { env }),
    runTsFile("scripts/bench/notion-load-worker.ts", { env }),
  ]);
  for (const result of results)
    expect(result, result.stderr).toMatchObject({ code: 0, stdout: `done ${PER_PROCESS}\n` });

  const times = crm.emulator.stats.requests.map((request) => request.at).sort((a, b) => a - b);
  expect(times).toHaveLength(2 * PER_PROCESS);
  expect(crm.emulator.stats.rateLimited).toBe(0);
  // However the two processes interleave, the run as a whole stays under the rate...
  expect(((times.length - 1) * 1000) / (times.at(-1)! - times[0]!)).toBeLessThanOrEqual(RATE_PER_SECOND);
  // ...and so does every one-second window, give or take the trip from a token's
  // grant to the request's arrival (a cold process takes a few ms to send its first).
  for (let i = RATE_PER_SECOND; i < times.length; i++) {
    expect(times[i]! - times[i - RATE_PER_SECOND]!).toBeGreaterThanOrEqual(1000 - SEND_DELAY_ALLOWANCE_MS);
  }
}, 40_000);
