import Database from "better-sqlite3";
import { copyFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { SERVER_REQUIRED_SETTINGS } from "../../src/config/settings.js";
import { startCrmServer } from "../../src/server/start-crm-server.js";
import { STATE_FILE_NAME } from "../../src/store/open-store.js";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { makeTempDir } from "../support/temp-dir.js";

// docs/operate.md's backup and restore, as an operator does them: a copy of
// the state file taken while the server runs (VACUUM INTO, which is what
// `sqlite3 crm.sqlite "VACUUM INTO '…'"` runs; `.backup` is the same kind of
// consistent copy), then that copy as crm.sqlite in a new DATA_DIR.
describe("backing up a running server's state file and restoring it elsewhere", () => {
  let h: CrmHarness | undefined;
  const dirs: Array<ReturnType<typeof makeTempDir>> = [];
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    for (const dir of dirs.splice(0)) dir.remove();
  });

  const emailOf = (page: { properties: Record<string, unknown> }) => (page.properties.Email as { email: string }).email;

  it("keeps the leads queued during a Notion outage: the restored server sends them, once each", async () => {
    h = await startCrmHarness({ overrides: { leadResponseWaitMs: 100 } });
    h.crm.emulator.faults.unavailableFor(10 * 60_000, 503);
    const emails = ["queued-1@example.com", "queued-2@example.com", "queued-3@example.com"];
    for (const email of emails) expect((await h.postLead({ email })).status).toBe(202);

    // The backup, from a connection of its own while the server keeps running.
    const backups = makeTempDir("crm-backup-");
    dirs.push(backups);
    const backupFile = join(backups.path, "crm-backup.sqlite");
    const reader = new Database(join(h.dataDir, STATE_FILE_NAME), { readonly: true });
    reader.prepare("VACUUM INTO ?").run(backupFile);
    reader.close();

    // The machine is lost: the server stops and its DATA_DIR is gone.
    await h.server.stop();
    rmSync(h.dataDir, { recursive: true, force: true });
    expect(h.contacts()).toEqual([]);

    // Restore: the copy becomes crm.sqlite of a fresh DATA_DIR, with no -wal or -shm beside it.
    const fresh = makeTempDir("crm-restored-");
    dirs.push(fresh);
    copyFileSync(backupFile, join(fresh.path, STATE_FILE_NAME));
    expect(readdirSync(fresh.path)).toEqual([STATE_FILE_NAME]);
    h.crm.emulator.faults.reset();
    h.server = await startCrmServer(
      loadConfig({ ...h.env, DATA_DIR: fresh.path }, { require: SERVER_REQUIRED_SETTINGS, envFile: false }),
      h.log.logger,
      { backoffBaseMs: 20, attemptTimeoutMs: 1_000, retryBaseMs: 100, schemaRetryBaseMs: 100, slackRetryBaseMs: 50 },
    );

    await eventually(() => expect(h!.contacts().map(emailOf).sort()).toEqual(emails), { timeoutMs: 20_000 });
    await eventually(() => expect(h!.activities()).toHaveLength(emails.length));
  });
});
