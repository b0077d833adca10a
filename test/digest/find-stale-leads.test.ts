import { afterEach, describe, expect, it } from "vitest";
import { findStaleLeads, type StaleLeads } from "../../src/digest/find-stale-leads.js";
import { STALE_LEAD_PROPERTIES } from "../../src/digest/stale-lead.js";
import { checkCrmSchema } from "../../src/notion/check-crm-schema.js";
import { propertyIdsOf } from "../../src/notion/filter-properties.js";
import { daysAgo, MS_PER_DAY, startDigestHarness, STALE_AFTER_DAYS, type DigestHarness } from "./digest-harness.js";

const MINUTE_MS = 60_000;
const BASE_CREATED_MS = Date.parse("2024-01-01T00:00:00Z");

let h: DigestHarness;
afterEach(async () => {
  await h?.stop();
});

const find = async (statusType: "select" | "status" = "select"): Promise<StaleLeads> =>
  findStaleLeads(h.notion, {
    dataSourceId: h.crm.dataSources.contacts,
    statusType,
    readPropertyIds: propertyIdsOf(
      await checkCrmSchema(h.notion, { contacts: h.crm.databases.contacts }),
      "contacts",
      STALE_LEAD_PROPERTIES,
    ),
    cutoff: new Date(Date.now() - STALE_AFTER_DAYS * MS_PER_DAY),
    logger: h.log.logger,
  });

const names = (found: StaleLeads) => found.stalest.map((lead) => lead.name);

describe("findStaleLeads against the emulator", () => {
  it("counts every stale lead over several result pages and lists the 10 stalest, never-contacted first", async () => {
    h = await startDigestHarness();
    // Created in an order unrelated to staleness, so nothing depends on insertion order.
    const created = (i: number) => BASE_CREATED_MS + ((i * 37) % 400) * MINUTE_MS;
    for (let i = 0; i < 256; i++)
      h.addContact({ name: `Dated ${i}`, lastContacted: daysAgo(STALE_AFTER_DAYS + 1 + i), createdTime: created(i) });
    for (let i = 0; i < 4; i++)
      h.addContact({ name: `Never ${i}`, createdTime: BASE_CREATED_MS + (300 - i) * MINUTE_MS });
    for (let i = 0; i < 30; i++) h.addContact({ name: `Recent ${i}`, lastContacted: daysAgo(i) });
    for (const status of ["contacted", "customer", "lost"]) {
      for (let i = 0; i < 10; i++)
        h.addContact({ name: `${status} ${i}`, status, ...(i % 2 === 0 && { lastContacted: daysAgo(400) }) });
    }

    const found = await find();

    expect(found).toMatchObject({ count: 260, complete: true });
    expect(names(found)).toEqual([
      "Never 3",
      "Never 2",
      "Never 1",
      "Never 0",
      "Dated 255",
      "Dated 254",
      "Dated 253",
      "Dated 252",
      "Dated 251",
      "Dated 250",
    ]);
    expect(found.stalest[0]).toMatchObject({
      email: "never.3@example.com",
      lastContacted: undefined,
      url: expect.stringMatching(/^https:\/\/www\.notion\.so\//),
    });
    // 260 rows at 100 a page: three queries, the fewest possible.
    expect(h.queries()).toBe(3);
  });

  it("counts only leads older than the cutoff, date-only values included", async () => {
    h = await startDigestHarness();
    h.addContact({ name: "Day only, old", lastContacted: daysAgo(45).slice(0, 10) });
    h.addContact({ name: "Just stale", lastContacted: daysAgo(STALE_AFTER_DAYS, Date.now() - MINUTE_MS) });
    h.addContact({ name: "Not yet", lastContacted: daysAgo(STALE_AFTER_DAYS - 1) });
    h.addContact({ name: "Tomorrow", lastContacted: daysAgo(-1) });
    const found = await find();
    expect(names(found)).toEqual(["Day only, old", "Just stale"]);
  });

  it("reads Status when it is a status property", async () => {
    h = await startDigestHarness();
    h.useStatusProperty();
    h.addContact({ name: "Stale", lastContacted: daysAgo(90) });
    h.addContact({ name: "Never" });
    h.addContact({ name: "Customer", status: "customer", lastContacted: daysAgo(90) });
    const found = await find("status");
    expect(found.count).toBe(2);
    expect(names(found)).toEqual(["Never", "Stale"]);
  });

  it("answers zero with a single query when nothing is stale", async () => {
    h = await startDigestHarness();
    h.addContact({ name: "Fresh", lastContacted: daysAgo(1) });
    expect(await find()).toEqual({ count: 0, stalest: [], complete: true });
    expect(h.queries()).toBe(1);
  });
});

describe("past the per-query result limit", () => {
  it("counts every stale lead exactly once, with many rows sharing a creation minute and a Last Contacted date", async () => {
    h = await startDigestHarness({ maxResultsPerQuery: 120 });
    const sharedDate = daysAgo(200);
    // 100 rows created in one minute with one Last Contacted: a window edge lands inside them.
    for (let i = 0; i < 100; i++)
      h.addContact({ name: `Shared ${i}`, lastContacted: sharedDate, createdTime: BASE_CREATED_MS + 50 * MINUTE_MS });
    // 60 in another single minute, half never contacted (they sort after the dated ones of their minute);
    // the second window's edge lands among their dates.
    for (let i = 0; i < 60; i++)
      h.addContact({
        name: `Bulk ${i}`,
        ...(i % 2 === 0 && { lastContacted: daysAgo(40 + i) }),
        createdTime: BASE_CREATED_MS + 64 * MINUTE_MS,
      });
    for (let i = 0; i < 140; i++)
      h.addContact({
        name: `Spread ${i}`,
        ...(i % 7 !== 0 && { lastContacted: daysAgo(31 + i) }),
        createdTime: BASE_CREATED_MS + i * MINUTE_MS,
      });
    for (let i = 0; i < 50; i++)
      h.addContact({
        name: `Ignored ${i}`,
        status: i % 2 ? "customer" : "new lead",
        lastContacted: daysAgo(i % 2 ? 500 : 2),
        createdTime: BASE_CREATED_MS + i * MINUTE_MS,
      });

    const found = await find();

    const expected = 100 + 60 + 140;
    expect(found).toMatchObject({ count: expected, complete: true });
    // Never contacted first, oldest created first: Spread 0, 7, 14, ... (minutes 0-63) before the Bulk minute (64).
    expect(names(found)).toEqual([
      "Spread 0",
      "Spread 7",
      "Spread 14",
      "Spread 21",
      "Spread 28",
      "Spread 35",
      "Spread 42",
      "Spread 49",
      "Spread 56",
      "Spread 63",
    ]);
    const windows = h.log.lines().filter((line) => line.msg.startsWith("Notion's per-query result limit reached"));
    expect(windows.map((line) => (line["from"] as { createdTime: string }).createdTime)).toEqual(
      expect.arrayContaining([
        new Date(BASE_CREATED_MS + 50 * MINUTE_MS).toISOString(),
        new Date(BASE_CREATED_MS + 64 * MINUTE_MS).toISOString(),
      ]),
    );
  });

  it("keeps the capped signal when Notion gives it on an earlier page than the last", async () => {
    h = await startDigestHarness({ maxResultsPerQuery: 150, reportIncompleteOn: "first-page" });
    for (let i = 0; i < 250; i++)
      h.addContact({ name: `Lead ${i}`, lastContacted: daysAgo(40 + i), createdTime: BASE_CREATED_MS + i * MINUTE_MS });
    const found = await find();
    expect(found).toMatchObject({ count: 250, complete: true });
  });

  it("agrees with a count made by hand over many small windows cut at random places", async () => {
    h = await startDigestHarness({ maxResultsPerQuery: 37 });
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    const dates = [daysAgo(31), daysAgo(60), daysAgo(61), daysAgo(400).slice(0, 10), daysAgo(3)];
    let expected = 0;
    for (let i = 0; i < 330; i++) {
      const dateIndex = random(dates.length + 2);
      const lastContacted = dates[dateIndex];
      const status = random(5) === 0 ? "contacted" : "new lead";
      if (status === "new lead" && lastContacted !== dates[4]) expected++;
      h.addContact({
        name: `Lead ${i}`,
        status,
        ...(lastContacted !== undefined && { lastContacted }),
        createdTime: BASE_CREATED_MS + random(6) * MINUTE_MS,
      });
    }
    const found = await find();
    expect(found).toMatchObject({ count: expected, complete: true });
    expect(found.stalest.every((lead) => lead.lastContacted === undefined)).toBe(true);
  });

  it("reports a lower bound, and says so, when one minute and one date hold more rows than a query returns", async () => {
    h = await startDigestHarness({ maxResultsPerQuery: 120 });
    for (let i = 0; i < 130; i++)
      h.addContact({ name: `Imported ${i}`, lastContacted: "2020-01-01", createdTime: BASE_CREATED_MS });
    const found = await find();
    expect(found).toMatchObject({ count: 120, complete: false });
    expect(h.log.lines()).toContainEqual(
      expect.objectContaining({ level: 40, msg: expect.stringContaining("the count is a lower bound") }),
    );
  });
});
