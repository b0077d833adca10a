import type { PageObjectResponse } from "@notionhq/client";
import type { NotionEmulatorOptions } from "@notion-crm/notion-emulator";
import { afterEach, expect, it } from "vitest";
import { createNotionGateway, type NotionGateway } from "../../src/notion/notion-gateway.js";
import { queryWindowed, type WindowedQuery } from "../../src/notion/query-window.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";

const MINUTE_MS = 60_000;
const BASE_MS = Date.parse("2024-01-01T00:00:00Z");
const QUERY = /\/query$/;

let crm: CrmEmulator;
let dir: ReturnType<typeof makeTempDir>;
let db: Store;
afterEach(async () => {
  await crm.stop();
  db.close();
  dir.remove();
});

/** The start_cursor of every query sent, in order (undefined: a window's first page), seen on the wire. */
let cursorsSent: Array<string | undefined>;

async function setUp(emulator: NotionEmulatorOptions = {}): Promise<NotionGateway> {
  crm = await startCrmEmulator(emulator);
  dir = makeTempDir("crm-window-");
  db = openStore(dir.path);
  cursorsSent = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    if (typeof init?.body === "string" && QUERY.test(new URL(String(input)).pathname)) {
      cursorsSent.push((JSON.parse(init.body) as { start_cursor?: string }).start_cursor);
    }
    return fetch(input, init);
  };
  return createNotionGateway({
    token: crm.emulator.token,
    baseUrl: crm.emulator.url,
    ratePerSecond: 1_000,
    db,
    logger: captureLogger().logger,
    backoffBaseMs: 5,
    fetch: recordingFetch,
  });
}

function addContacts(count: number, createdMs: (i: number) => number): void {
  for (let i = 0; i < count; i++) {
    crm.emulator.admin.insertPage(
      crm.dataSources.contacts,
      { Name: { title: [{ text: { content: `C ${i}` } }] }, Email: { email: `c${i}@example.com` } },
      { createdTime: new Date(createdMs(i)).toISOString() },
    );
  }
}

const byCreation = (): WindowedQuery<string> => ({
  operation: "dataSources.query test",
  dataSourceId: crm.dataSources.contacts,
  filterProperties: ["title"],
  sorts: [{ timestamp: "created_time", direction: "ascending" }],
  filter: (from) =>
    from === undefined ? undefined : { timestamp: "created_time", created_time: { on_or_after: from } },
  startOf: (page) => page.created_time,
});

async function readAll(rows: AsyncIterable<PageObjectResponse>): Promise<string[]> {
  const ids: string[] = [];
  for await (const row of rows) ids.push(row.id);
  return ids;
}

it("reads past the per-query cap in windows, each row once, in order, 100 a page", async () => {
  const notion = await setUp({ maxResultsPerQuery: 120 });
  addContacts(300, (i) => BASE_MS + i * MINUTE_MS);
  const rows = queryWindowed(notion, byCreation());

  const ids = await readAll(rows);

  const expected = crm.emulator.admin.listPages(crm.dataSources.contacts).map((page) => page.id);
  expect(new Set(ids).size).toBe(300);
  expect(ids).toEqual(expected);
  expect(rows).toMatchObject({ rows: 300, complete: true });
  // Windows start at the last row read: rows 0-119 and 119-238 (pages of 100 and 20 each), then 238-299 (one page).
  expect(rows.queries).toBe(5);
  expect(crm.emulator.stats.count({ method: "POST", path: QUERY })).toBe(5);
});

it("retries only the page that failed: a failure on the third page does not start over", async () => {
  const notion = await setUp();
  addContacts(350, (i) => BASE_MS + i * MINUTE_MS);
  const rows = queryWindowed(notion, byCreation());
  const ids: string[] = [];
  for await (const row of rows) {
    ids.push(row.id);
    // Two pages read: the next query (page 3) fails once with a 500.
    if (ids.length === 200)
      crm.emulator.faults.failNext(1, { method: "POST", path: QUERY, kind: "status", status: 500 });
  }

  expect(new Set(ids).size).toBe(350);
  expect(crm.emulator.stats.count({ method: "POST", path: QUERY, status: 500 })).toBe(1);
  // Four pages and one retry; the first page (no cursor) was asked for once, and the retry asked for page 3 again.
  expect(cursorsSent).toHaveLength(5);
  expect(cursorsSent.filter((cursor) => cursor === undefined)).toHaveLength(1);
  expect(cursorsSent[2]).toBeDefined();
  expect(cursorsSent[3]).toBe(cursorsSent[2]);
  expect(rows.queries).toBe(4);
});

it("says it is incomplete, and stops, when more rows share one sort key than a query returns", async () => {
  const notion = await setUp({ maxResultsPerQuery: 120 });
  addContacts(130, () => BASE_MS);
  const rows = queryWindowed(notion, byCreation());

  const ids = await readAll(rows);

  expect(ids).toHaveLength(120);
  expect(rows.complete).toBe(false);
});

it("names the properties it reads on every query (filter_properties)", async () => {
  const notion = await setUp({ maxResultsPerQuery: 120 });
  addContacts(130, (i) => BASE_MS + i * MINUTE_MS);
  await readAll(queryWindowed(notion, byCreation()));
  const queries = crm.emulator.stats.requests.filter((request) => QUERY.test(request.path));
  expect(queries.length).toBeGreaterThan(1);
  for (const query of queries) expect(query.search).toBe("?filter_properties=title");
});
