import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createDealEventWorker, type DealEventWorker } from "../../src/deal-webhooks/deal-event-worker.js";
import { createDealStageStore } from "../../src/deal-webhooks/deal-stage-store.js";
import { createNotionEventStore, type NotionEventStore } from "../../src/deal-webhooks/notion-event-store.js";
import { createNotionGateway } from "../../src/notion/notion-gateway.js";
import { createSlackOutbox } from "../../src/slack/slack-outbox.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { eventually } from "../support/crm-harness.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("deal event worker", () => {
  let crm: CrmEmulator | undefined;
  let db: Store | undefined;
  let worker: DealEventWorker | undefined;
  const dirs: Array<{ remove: () => void }> = [];
  afterEach(async () => {
    await worker?.stop();
    db?.close();
    await crm?.stop();
    for (const dir of dirs.splice(0)) dir.remove();
  });

  it("survives a store that throws while it claims, settles and dead-letters: it logs, backs off and settles the event", async () => {
    crm = await startCrmEmulator();
    const dir = makeTempDir("crm-deal-worker-");
    dirs.push(dir);
    db = openStore(dir.path);
    const log = captureLogger();
    const real = createNotionEventStore(db);
    const failing = new Set(["duePages", "settle", "bury"]);
    /** The store's own method, throwing what better-sqlite3 throws for a locked file (code SQLITE_BUSY) on its first call. */
    const failOnce = <F extends (...args: never[]) => unknown>(where: string, method: F): F =>
      ((...args: Parameters<F>) => {
        if (failing.delete(where))
          throw new Database.SqliteError(`SQLITE_BUSY: database is locked (${where})`, "SQLITE_BUSY");
        return method(...args);
      }) as F;
    const events: NotionEventStore = {
      ...real,
      duePages: failOnce("duePages", real.duePages),
      settle: failOnce("settle", real.settle),
      bury: failOnce("bury", real.bury),
    };
    // An event for a page of Contacts: settled as ignored without reading Notion.
    const eventId = randomUUID();
    expect(
      real.record({
        id: eventId,
        type: "page.properties_updated",
        entity: { id: randomUUID(), type: "page" },
        data: { parent: { id: crm.databases.contacts, type: "database", data_source_id: crm.dataSources.contacts } },
      }),
    ).toBe(true);
    // An event for a page Notion refuses to read (400 validation_error): dead-lettered, so bury is called.
    const refusedPageId = randomUUID();
    crm.emulator.faults.failNext(100, { method: "GET", path: new RegExp(refusedPageId), kind: "status", status: 400 });
    const refusedEventId = randomUUID();
    real.record({ id: refusedEventId, type: "page.properties_updated", entity: { id: refusedPageId, type: "page" } });
    worker = createDealEventWorker({
      db,
      notion: createNotionGateway({
        token: crm.emulator.token,
        baseUrl: crm.emulator.url,
        requestsPerMinute: 60_000,
        db,
        logger: log.logger,
      }),
      events,
      stages: createDealStageStore(db),
      outbox: createSlackOutbox(db),
      logger: log.logger,
      onMessage: () => {},
      quietMs: 0,
      retryBaseMs: 20,
    });
    worker.start({
      databaseId: crm.databases.deals,
      dataSourceId: crm.dataSources.deals,
      stagePropertyId: undefined,
      valueFormat: undefined,
    });
    worker.notify();

    await eventually(() => {
      expect(log.lines()).toContainEqual(
        expect.objectContaining({ msg: "deal events settled", eventIds: [eventId], outcome: "ignored" }),
      );
      expect(log.lines()).toContainEqual(
        expect.objectContaining({
          msg: expect.stringContaining("DEAL EVENTS DEAD-LETTERED"),
          eventIds: [refusedEventId],
        }),
      );
    });
    expect(real.hasQueued()).toBe(false);
    expect(failing.size).toBe(0);
    const failures = log.lines().filter((line) => line.msg === "queue work failed unexpectedly; pausing the queue");
    expect(failures.map((line) => (line.err as { message: string }).message)).toEqual([
      "SQLITE_BUSY: database is locked (duePages)",
      "SQLITE_BUSY: database is locked (bury)",
    ]);
    // The locked settle was retried (a local store failure never dead-letters), then settled.
    expect(log.lines()).toContainEqual(
      expect.objectContaining({
        msg: "deal events not processed yet; will retry",
        eventIds: [eventId],
        err: expect.objectContaining({ code: "SQLITE_BUSY" }),
      }),
    );
    const stateOf = (id: string) => db!.prepare("SELECT state FROM notion_events WHERE id = ?").get(id);
    expect(stateOf(eventId)).toEqual({ state: "ignored" });
    // Buried once its bury went through: the locked bury lost nothing and doubled nothing.
    expect(stateOf(refusedEventId)).toEqual({ state: "dead" });
    expect(
      log
        .lines()
        .filter((line) => /DEAD-LETTERED/.test(line.msg))
        .map((line) => line.eventIds),
    ).toEqual([[refusedEventId]]);
  });

  it("retries, never dead-letters, events whose settling met a full disk (SQLITE_FULL)", async () => {
    crm = await startCrmEmulator();
    const dir = makeTempDir("crm-deal-worker-");
    dirs.push(dir);
    db = openStore(dir.path);
    const log = captureLogger();
    const real = createNotionEventStore(db);
    let full = 1;
    const events: NotionEventStore = {
      ...real,
      settle: ((...args: Parameters<NotionEventStore["settle"]>) => {
        if (full-- > 0) throw new Database.SqliteError("database or disk is full", "SQLITE_FULL");
        return real.settle(...args);
      }) as NotionEventStore["settle"],
    };
    const eventId = randomUUID();
    real.record({
      id: eventId,
      type: "page.properties_updated",
      entity: { id: randomUUID(), type: "page" },
      data: { parent: { id: crm.databases.contacts, type: "database", data_source_id: crm.dataSources.contacts } },
    });
    worker = createDealEventWorker({
      db,
      notion: createNotionGateway({
        token: crm.emulator.token,
        baseUrl: crm.emulator.url,
        requestsPerMinute: 60_000,
        db,
        logger: log.logger,
      }),
      events,
      stages: createDealStageStore(db),
      outbox: createSlackOutbox(db),
      logger: log.logger,
      onMessage: () => {},
      quietMs: 0,
      retryBaseMs: 20,
    });
    worker.start({
      databaseId: crm.databases.deals,
      dataSourceId: crm.dataSources.deals,
      stagePropertyId: undefined,
      valueFormat: undefined,
    });
    worker.notify();

    await eventually(() =>
      expect(log.lines()).toContainEqual(
        expect.objectContaining({ msg: "deal events settled", eventIds: [eventId], outcome: "ignored" }),
      ),
    );
    expect(log.lines()).toContainEqual(
      expect.objectContaining({ msg: "deal events not processed yet; will retry", eventIds: [eventId] }),
    );
    expect(log.lines().filter((line) => /DEAD-LETTERED/.test(line.msg))).toEqual([]);
    expect(db.prepare("SELECT state FROM notion_events WHERE id = ?").get(eventId)).toEqual({ state: "ignored" });
  });
});
