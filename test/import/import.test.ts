import { existsSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rejectsPathFor } from "../../src/import/write-rejects-file.js";
import {
  HUBSPOT_CSV,
  HUBSPOT_FINAL,
  HUBSPOT_SUMMARY,
  seedHubspotExisting,
  startImportKit,
  type ImportKit,
} from "./import-kit.js";

const PAGES = /^\/v1\/pages$/;
const PAGE = /^\/v1\/pages\/[^/]+$/;
const QUERY = /\/query$/;

let kit: ImportKit;
beforeEach(async () => {
  kit = await startImportKit();
});
afterEach(async () => {
  await kit.stop();
});

describe("npm run import against Notion", () => {
  it("imports a HubSpot export: new contacts created, existing ones filled, repeats merged, bad rows rejected", async () => {
    seedHubspotExisting(kit);
    const path = kit.file("hubspot.csv", HUBSPOT_CSV);
    kit.crm.emulator.stats.reset();

    const result = await kit.run([path]);

    expect(result.code).toBe(0);
    expect(result.stdout).toEqual([HUBSPOT_SUMMARY]);
    expect(kit.contacts()).toEqual(HUBSPOT_FINAL);
    // The fewest calls: the schema (database, data source), one index query, 3 creates, 1 update; nothing for Fay.
    expect(kit.crm.emulator.stats.count({ method: "POST", path: PAGES })).toBe(3);
    expect(kit.crm.emulator.stats.count({ method: "PATCH", path: PAGE })).toBe(1);
    expect(kit.crm.emulator.stats.count({ method: "POST", path: QUERY })).toBe(1);
    expect(kit.crm.emulator.stats.requests).toHaveLength(7);
    expect(result.stderr.join("\n")).toContain('line 10: "yesterday" in "Last Activity Date" is not a date');
  });

  it("writes the rejected rows with their line numbers and reasons to <file>.rejects.csv", async () => {
    const path = kit.file("hubspot.csv", HUBSPOT_CSV);
    await kit.run([path]);
    expect(readFileSync(rejectsPathFor(path), "utf8")).toBe(
      [
        "line,reason,First Name,Last Name,Email,Company Name,Lead Status,Last Activity Date,Original Source,Notes",
        '6,"invalid email ""not-an-email""",Cat,Ng,not-an-email,Cat Co,,,,',
        "7,no email,Dan,Roe,,Dan Co,,,,",
        "",
      ].join("\r\n"),
    );
  });

  it("makes no call and changes nothing when the same file is imported again", async () => {
    seedHubspotExisting(kit);
    const path = kit.file("hubspot.csv", HUBSPOT_CSV);
    await kit.run([path]);
    kit.crm.emulator.stats.reset();

    const again = await kit.run([path]);

    expect(again.stdout).toEqual([HUBSPOT_SUMMARY]);
    expect(kit.contacts()).toEqual(HUBSPOT_FINAL);
    expect(kit.crm.emulator.stats.count({ method: "POST", path: PAGES })).toBe(0);
    expect(kit.crm.emulator.stats.count({ method: "PATCH" })).toBe(0);
  });

  it("--dry-run prints the column mapping and the counts and writes nothing", async () => {
    seedHubspotExisting(kit);
    const path = kit.file("hubspot.csv", HUBSPOT_CSV);
    const before = kit.contacts();
    kit.crm.emulator.stats.reset();

    const result = await kit.run([path, "--dry-run"]);

    expect(result.code).toBe(0);
    const out = result.stdout.join("\n");
    expect(out).toContain('"Email" -> Email');
    expect(out).toContain('"First Name" -> Name (first)');
    expect(out).toContain('"Company Name" -> Company');
    expect(out).toContain('"Lead Status" -> Status');
    expect(out).toContain('"Last Activity Date" -> Last Contacted');
    expect(out).toContain('"Original Source" -> Source');
    expect(out).toContain("8 rows, 5 contacts (1 row repeating an email, merged into its contact)");
    expect(out).toContain("2 contacts already in Notion");
    expect(out).toContain(
      "Would create 3, update 1 (fill empty fields, later Last Contacted), leave 1 unchanged, reject 2 rows",
    );
    expect(out).toContain('line 6: invalid email "not-an-email"');
    expect(out).toContain("line 7: no email");
    expect(out).toContain("That is 4 Notion calls");
    expect(result.stdout.at(-1)).toBe("Dry run: nothing was written.");
    expect(kit.contacts()).toEqual(before);
    expect(
      kit.crm.emulator.stats.requests.filter((request) => request.method !== "GET" && !QUERY.test(request.path)),
    ).toEqual([]);
    expect(existsSync(rejectsPathFor(path))).toBe(false);

    // And a real run afterwards still does everything: the dry run recorded nothing.
    expect((await kit.run([path])).stdout).toEqual([HUBSPOT_SUMMARY]);
  });

  it("stops when Notion refuses creates (403 restricted_resource), names both causes, and resumes on the next run", async () => {
    seedHubspotExisting(kit);
    const path = kit.file("hubspot.csv", HUBSPOT_CSV);
    kit.crm.emulator.faults.failNext(1_000, { method: "POST", path: PAGES, kind: "status", status: 403 });

    const blocked = await kit.run([path]);

    expect(blocked.code).not.toBe(0);
    const said = blocked.stderr.join("\n");
    expect(said).toContain("restricted_resource");
    expect(said).toContain("Free plan");
    expect(said).toContain("1,000 blocks");
    expect(said).toContain("Insert content capability");
    expect(said).toContain("0 created");
    expect(blocked.stdout.at(-1)).toMatch(/^import: created 0, updated \d, unchanged \d, rejected 2$/);
    expect(Object.keys(kit.contacts()).sort()).toEqual(["FAY@example.com", "eve@example.com"]);

    kit.crm.emulator.faults.reset();
    const resumed = await kit.run([path]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toEqual([HUBSPOT_SUMMARY]);
    expect(kit.contacts()).toEqual(HUBSPOT_FINAL);
  });

  it("settles a create whose answer was lost by looking the email up, and creates no duplicate", async () => {
    const path = kit.file("one.csv", "Email,Name\nzoe@example.com,Zoe\n");
    // Notion writes the page, then the connection drops before the answer.
    kit.crm.emulator.faults.failNext(1, { method: "POST", path: PAGES, kind: "commit-then-fail", status: 502 });

    const result = await kit.run([path]);

    expect(result.stdout).toEqual(["import: created 1, updated 0, unchanged 0, rejected 0"]);
    expect(Object.keys(kit.contacts())).toEqual(["zoe@example.com"]);
    expect(kit.crm.emulator.stats.count({ method: "POST", path: PAGES })).toBe(1);
  });

  it("splits notes longer than 2,000 characters instead of cutting them", async () => {
    const notes = "n".repeat(4_500);
    const path = kit.file("long.csv", `Email,Notes\nlong@example.com,${notes}\n`);
    await kit.run([path]);
    expect(kit.contacts()["long@example.com"]!.notes).toBe(notes);
  });
  it("reads day-first dates with --date-format DD/MM/YYYY, and names --source for rows without one", async () => {
    const path = kit.file(
      "sheet.csv",
      "Email;Name;Last Contacted;Source\nd@x.example;Dee;03/04/2026;\ne@x.example;Eli;31/12/2026 09:30;Fair\n",
    );
    const result = await kit.run([path, "--date-format", "DD/MM/YYYY", "--source", "old crm"]);
    expect(result.stdout).toEqual(["import: created 2, updated 0, unchanged 0, rejected 0"]);
    expect(kit.contacts()).toMatchObject({
      "d@x.example": { name: "Dee", lastContacted: "2026-04-03", source: "old crm" },
      "e@x.example": { name: "Eli", lastContacted: "2026-12-31T09:30:00.000+00:00", source: "Fair" },
    });
  });

  it("moves Last Contacted forward only, and never changes Status", async () => {
    kit.seedContact({ email: "a@x.example", name: "A", status: "customer", lastContacted: "2026-02-01" });
    kit.seedContact({ email: "b@x.example", name: "B", status: "lost", lastContacted: "2026-02-01" });
    const path = kit.file(
      "dates.csv",
      "Email,Status,Last Contacted\na@x.example,new lead,2026-03-01\nb@x.example,qualified,2026-01-01\n",
    );
    const result = await kit.run([path]);
    expect(result.stdout).toEqual(["import: created 0, updated 1, unchanged 1, rejected 0"]);
    expect(kit.contacts()).toMatchObject({
      "a@x.example": { status: "customer", lastContacted: "2026-03-01" },
      "b@x.example": { status: "lost", lastContacted: "2026-02-01" },
    });
  });
  it("puts a contact Notion refuses (400) in the rejects file and goes on with the rest", async () => {
    const path = kit.file("two.csv", "Email,Name\nfirst@x.example,First\nsecond@x.example,Second\n");
    kit.crm.emulator.faults.failNext(1, { method: "POST", path: PAGES, kind: "status", status: 400 });

    const result = await kit.run([path]);

    expect(result.code).toBe(0);
    expect(result.stdout).toEqual(["import: created 1, updated 0, unchanged 0, rejected 1"]);
    expect(Object.keys(kit.contacts())).toEqual(["second@x.example"]);
    const rejects = readFileSync(rejectsPathFor(path), "utf8").split("\r\n");
    expect(rejects[1]).toMatch(/^2,"?refused by Notion: .*,first@x\.example,First$/);
    // A rerun does not send it again (the file would need fixing first) and still reports it.
    kit.crm.emulator.stats.reset();
    expect((await kit.run([path])).stdout).toEqual(["import: created 1, updated 0, unchanged 0, rejected 1"]);
    expect(kit.crm.emulator.stats.count({ method: "POST", path: PAGES })).toBe(0);
    expect(readFileSync(rejectsPathFor(path), "utf8").split("\r\n")[1]).toBe(rejects[1]);
  });
});
