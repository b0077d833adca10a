import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { workerTargets } from "../../src/notion/worker-targets.js";
import { createContactCache } from "../../src/contacts/contact-cache.js";
import { createLeadQueue, type LeadQueue } from "../../src/leads/lead-queue.js";
import { createLeadWorker, type LeadWorker } from "../../src/leads/lead-worker.js";
import { assertCrmSchema } from "../../src/notion/check-crm-schema.js";
import { createNotionGateway } from "../../src/notion/notion-gateway.js";
import { openStore, STATE_FILE_NAME, type Store } from "../../src/store/open-store.js";
import { captureLogger, type CapturedLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { eventually } from "../support/crm-harness.js";
import { makeTempDir } from "../support/temp-dir.js";

// A locked or full state file is the machine's trouble, not the lead's: the
// lead waits and is written once, never dead-lettered.
describe("a lead meeting a local SQLite error", () => {
  let crm: CrmEmulator;
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let worker: LeadWorker | undefined;
  let other: Database.Database | undefined;
  let log: CapturedLogger;

  afterEach(async () => {
    if (other?.inTransaction) other.exec("ROLLBACK");
    other?.close();
    other = undefined;
    await worker?.stop();
    worker = undefined;
    db.close();
    await crm.stop();
    dir.remove();
  });

  async function startWorker(queue: LeadQueue, beforeStart: () => void = () => {}) {
    const notion = createNotionGateway({
      token: crm.emulator.token,
      baseUrl: crm.emulator.url,
      requestsPerMinute: 60_000,
      db,
      logger: log.logger,
      backoffBaseMs: 10,
    });
    const report = await assertCrmSchema(notion, crm.databases);
    worker = createLeadWorker({
      queue,
      cache: createContactCache(db),
      notion,
      logger: log.logger,
      retryBaseMs: 20,
      pollIntervalMs: 20,
    });
    beforeStart();
    worker.start(workerTargets(report).leads);
  }

  async function setUp() {
    crm = await startCrmEmulator();

    dir = makeTempDir("crm-local-errors-");
    db = openStore(dir.path);
    log = captureLogger();
  }

  it("is retried, not dead-lettered, when the store throws SQLITE_BUSY after the contact is saved", async () => {
    await setUp();
    const real = createLeadQueue(db);
    let failures = 1;
    const queue: LeadQueue = {
      ...real,
      setContact: ((...args: Parameters<LeadQueue["setContact"]>) => {
        if (failures-- > 0) throw new Database.SqliteError("database is locked", "SQLITE_BUSY");
        return real.setContact(...args);
      }) as LeadQueue["setContact"],
    };
    const { submission } = queue.enqueue({
      email: "ann@example.com",
      name: "Ann",
      message: "Hello",
      company: undefined,
      utm_source: undefined,
    });
    await startWorker(queue);

    await eventually(() => expect(real.get(submission.id)?.state).toBe("done"));
    expect(real.counts().dead).toBeUndefined();
    expect(crm.emulator.admin.listPages(crm.dataSources.contacts)).toHaveLength(1);
    expect(crm.emulator.admin.listPages(crm.dataSources.activities)).toHaveLength(1);
    expect(log.lines().filter((line) => /DEAD-LETTERED/.test(line.msg))).toEqual([]);
  });

  it("is retried when another connection holds the state file with BEGIN IMMEDIATE as the contact is recorded", async () => {
    await setUp();
    // A short wait for the lock, so the test meets SQLITE_BUSY quickly.
    db.pragma("busy_timeout = 20");
    other = new Database(join(dir.path, STATE_FILE_NAME));
    const real = createLeadQueue(db);
    let locks = 1;
    const queue: LeadQueue = {
      ...real,
      setContact: ((...args: Parameters<LeadQueue["setContact"]>) => {
        if (locks-- <= 0) return real.setContact(...args);
        other!.exec("BEGIN IMMEDIATE");
        try {
          return real.setContact(...args);
        } finally {
          other!.exec("ROLLBACK");
        }
      }) as LeadQueue["setContact"],
    };
    const { submission } = queue.enqueue({
      email: "bob@example.com",
      name: "Bob",
      message: "Hi",
      company: undefined,
      utm_source: undefined,
    });
    await startWorker(queue);

    await eventually(() => expect(real.get(submission.id)?.state).toBe("done"));
    expect(log.lines()).toContainEqual(
      expect.objectContaining({
        msg: "lead not saved yet; will retry",
        err: expect.objectContaining({ code: "SQLITE_BUSY" }),
      }),
    );
    expect(crm.emulator.admin.listPages(crm.dataSources.contacts)).toHaveLength(1);
    expect(crm.emulator.admin.listPages(crm.dataSources.activities)).toHaveLength(1);
  });

  it("lets a Notion call wait while the shared rate bucket's file is locked, instead of failing it", async () => {
    await setUp();
    db.pragma("busy_timeout = 20");
    other = new Database(join(dir.path, STATE_FILE_NAME));
    const notion = createNotionGateway({
      token: crm.emulator.token,
      baseUrl: crm.emulator.url,
      requestsPerMinute: 60_000,
      db,
      logger: log.logger,
      backoffBaseMs: 20,
    });
    other.exec("BEGIN IMMEDIATE");
    const read = notion.read("users.me", (client) => client.users.me({}));
    setTimeout(() => other!.exec("ROLLBACK"), 30);
    await expect(read).resolves.toMatchObject({ object: "user" });
    expect(log.lines()).toContainEqual(
      expect.objectContaining({
        msg: "notion request failed",
        kind: "not_sent",
        reason: "local state file unavailable",
      }),
    );
  });

  it('answers a waiting sender "queued" when the store fails as its wait ends, without crashing', async () => {
    await setUp();
    const real = createLeadQueue(db);
    let reads = 0;
    const queue: LeadQueue = {
      ...real,
      get: (id: string) => {
        if (reads++ > 0) throw new Database.SqliteError("disk I/O error", "SQLITE_IOERR");
        return real.get(id);
      },
    };
    const { submission } = real.enqueue({
      email: "wait@example.com",
      name: "Wait",
      message: undefined,
      company: undefined,
      utm_source: undefined,
    });
    // Not started: the lead stays queued, and the wait ends on its timer.
    worker = createLeadWorker({ queue, cache: createContactCache(db), notion: undefined as never, logger: log.logger });
    await expect(worker.waitFor(submission.id, 20)).resolves.toBeUndefined();
    expect(log.lines()).toContainEqual(
      expect.objectContaining({ msg: "could not read the lead back; answering queued", submissionId: submission.id }),
    );
  });
});
