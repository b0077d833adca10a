import { afterEach, beforeEach, expect, it } from "vitest";
import { assertCrmSchema } from "../../src/notion/check-crm-schema.js";
import { createNotionGateway } from "../../src/notion/notion-gateway.js";
import { createContactCache } from "../../src/contacts/contact-cache.js";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { createLeadWorker } from "../../src/leads/lead-worker.js";
import { workerTargets } from "../../src/notion/worker-targets.js";
import { openStore } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { startImportKit, type ImportKit } from "./import-kit.js";

let kit: ImportKit;
beforeEach(async () => {
  kit = await startImportKit();
});
afterEach(async () => {
  await kit.stop();
});

/**
 * The server's lead worker, on the same DATA_DIR as the import (its own
 * store connection and its own live-lane gateway, as the server has), saves
 * one lead and stops.
 */
async function leadWorkerSaves(lead: { email: string; name?: string }): Promise<void> {
  const db = openStore(kit.env.DATA_DIR!);
  const logger = captureLogger().logger;
  try {
    const notion = createNotionGateway({
      token: kit.env.NOTION_TOKEN!,
      baseUrl: kit.env.NOTION_BASE_URL!,
      requestsPerMinute: 6_000,
      db,
      logger,
    });
    const targets = workerTargets(await assertCrmSchema(notion, { contacts: kit.env.NOTION_CONTACTS_DB_ID! }));
    const queue = createLeadQueue(db);
    const worker = createLeadWorker({ queue, cache: createContactCache(db), notion, logger, pollIntervalMs: 20 });
    const { submission } = queue.enqueue({
      email: lead.email,
      name: lead.name,
      company: undefined,
      message: undefined,
      utm_source: undefined,
    });
    worker.start(targets.leads);
    const saved = await worker.waitFor(submission.id, 10_000);
    await worker.stop();
    expect(saved).toMatchObject({ state: "done", outcome: "created" });
  } finally {
    db.close();
  }
}

it("a lead saved by the server after the import read its index, before the import reaches its row, ends as one contact", async () => {
  const path = kit.file(
    "contacts.csv",
    ["Email,Name,Company", "first@example.com,First,First Co", "live@example.com,Live From File,Live Co", ""].join(
      "\n",
    ),
  );
  let indexQueries = 0;
  // The import's index query has come back from Notion; before the import sees it, the lead is saved.
  const importFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (/\/query$/.test(new URL(String(input)).pathname) && indexQueries++ === 0) {
      await leadWorkerSaves({ email: "live@example.com", name: "Live Lead" });
    }
    return response;
  };

  const result = await kit.run([path], { fetch: importFetch });

  expect(result.code).toBe(0);
  // kit.contacts() throws on two pages for one email: exactly one Contacts page for the live lead.
  const contacts = kit.contacts();
  expect(Object.keys(contacts).sort()).toEqual(["first@example.com", "live@example.com"]);
  // The lead's name stays (nothing filled is overwritten); the file fills what the lead left empty.
  expect(contacts["live@example.com"]).toMatchObject({ name: "Live Lead", company: "Live Co", status: "new lead" });
  expect(result.stdout).toEqual(["import: created 1, updated 1, unchanged 0, rejected 0"]);
});
