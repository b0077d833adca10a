import { afterEach, beforeEach, expect, it } from "vitest";
import { seedCrm } from "../../scripts/lib/crm-seed.js";
import { ImportFileError } from "../../src/import/import-file-error.js";
import { selectOf } from "../support/notion-page.js";
import { startImportKit, type ImportKit } from "./import-kit.js";

let kit: ImportKit;
beforeEach(async () => {
  kit = await startImportKit();
});
afterEach(async () => {
  await kit.stop();
});

const TWO = ["Email,Name", "ann@example.com,Ann", "bob@example.com,Bob", ""].join("\n");

it("imports the same file into another Contacts database as a new import, not from the first one's journal", async () => {
  const path = kit.file("contacts.csv", TWO);
  expect((await kit.run([path])).stdout).toEqual(["import: created 2, updated 0, unchanged 0, rejected 0"]);

  const other = seedCrm(kit.crm.emulator.admin);
  const second = await kit.run([path], {}, { NOTION_CONTACTS_DB_ID: other.contacts.databaseId });
  expect(second.stdout).toEqual(["import: created 2, updated 0, unchanged 0, rejected 0"]);
  expect(kit.crm.emulator.admin.listPages(other.contacts.dataSourceId)).toHaveLength(2);
});

it("--force starts over: the journal is forgotten and Notion is read again", async () => {
  const path = kit.file("contacts.csv", TWO);
  await kit.run([path]);
  // Without --force the journal answers: the same summary, nothing read or written.
  expect((await kit.run([path])).stdout).toEqual(["import: created 2, updated 0, unchanged 0, rejected 0"]);
  // With it, the contacts are looked up again and found.
  expect((await kit.run([path, "--force"])).stdout).toEqual(["import: created 0, updated 0, unchanged 2, rejected 0"]);
  expect(Object.keys(kit.contacts()).sort()).toEqual(["ann@example.com", "bob@example.com"]);
});

it("stops a second run of the same file into the same database with one clear line while the first runs", async () => {
  const path = kit.file("contacts.csv", TWO);
  let releaseFirst: () => void = () => {};
  const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
  let firstIsWriting: () => void = () => {};
  const writing = new Promise<void>((resolve) => (firstIsWriting = resolve));
  // The first run's first create waits until the second run has been turned away.
  const slowFetch: typeof fetch = async (input, init) => {
    if (init?.method === "POST" && new URL(String(input)).pathname === "/v1/pages") {
      firstIsWriting();
      await firstHeld;
    }
    return fetch(input, init);
  };
  const first = kit.run([path], { fetch: slowFetch });
  await writing;
  const second = kit.run([path]);
  await expect(second).rejects.toThrow(ImportFileError);
  await expect(second).rejects.toThrow(
    /another run \(pid \d+\) is importing .*contacts\.csv into this Contacts database/,
  );
  releaseFirst();
  const done = await first;
  expect(done.code).toBe(0);
  expect(done.stdout).toEqual(["import: created 2, updated 0, unchanged 0, rejected 0"]);
  expect(Object.keys(kit.contacts()).sort()).toEqual(["ann@example.com", "bob@example.com"]);
  // The lock is released: a third run goes through (from the journal).
  expect((await kit.run([path])).code).toBe(0);
});

const HUBSPOT_STATUSES = [
  "Email,Name,Lead Status",
  "new@example.com,New One,New",
  "open@example.com,Open One,Open",
  "busy@example.com,Busy One,In Progress",
  "known@example.com,Known One,qualified",
  "",
].join("\n");

it("lists, in a dry run, every status of the file that Status does not have", async () => {
  const path = kit.file("hubspot.csv", HUBSPOT_STATUSES);
  const plain = await kit.run([path, "--dry-run"]);
  expect(plain.stdout.join("\n")).toContain(
    'Statuses in the file that Status does not have (they would become new options; map them with --status-map \'Old=new lead\'): "New", "Open", "In Progress"',
  );
  const mapped = await kit.run([path, "--dry-run", "--status-map", "New=new lead,open=new lead"]);
  expect(mapped.stdout.join("\n")).toContain(
    "Status does not have (they would become new options; map them with --status-map 'Old=new lead'): \"In Progress\"",
  );
});

it("maps the file's statuses with --status-map, so imported leads reach the digest as `new lead`", async () => {
  const path = kit.file("hubspot.csv", HUBSPOT_STATUSES);
  const result = await kit.run([path, "--status-map", "New=new lead,Open=new lead,In Progress=contacted"]);
  expect(result.code).toBe(0);
  const statuses = Object.fromEntries(
    kit.crm.emulator.admin
      .listPages(kit.crm.dataSources.contacts)
      .map((page) => [(page.properties["Email"] as { email: string }).email, selectOf(page, "Status")]),
  );
  expect(statuses).toEqual({
    "new@example.com": "new lead",
    "open@example.com": "new lead",
    "busy@example.com": "contacted",
    "known@example.com": "qualified",
  });
});

it("refuses a --status-map it cannot read, naming the pair", async () => {
  const path = kit.file("hubspot.csv", HUBSPOT_STATUSES);
  await expect(kit.run([path, "--status-map", "New"])).rejects.toThrow(/--status-map takes pairs like/);
});
