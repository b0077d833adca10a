import type { PageObjectResponse } from "@notionhq/client";
import { afterEach, expect, it } from "vitest";
import { createContactCache } from "../../src/contacts/contact-cache.js";
import { upsertContact, type UpsertDependencies } from "../../src/leads/upsert-contact.js";
import { checkCrmSchema } from "../../src/notion/check-crm-schema.js";
import type { NotionEmulatorOptions } from "@notion-crm/notion-emulator";
import { createNotionGateway } from "../../src/notion/notion-gateway.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { workerTargets } from "../../src/notion/worker-targets.js";
import { captureLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";
import { queuedLead as lead } from "../support/queued-lead.js";

let crm: CrmEmulator;
let dir: ReturnType<typeof makeTempDir>;
let db: Store;
afterEach(async () => {
  await crm.stop();
  db.close();
  dir.remove();
});

async function setUp(emulator: NotionEmulatorOptions = {}): Promise<UpsertDependencies> {
  crm = await startCrmEmulator(emulator);
  dir = makeTempDir();
  db = openStore(dir.path);
  const notion = createNotionGateway({
    token: crm.emulator.token,
    baseUrl: crm.emulator.url,
    requestsPerMinute: 12_000,
    db,
    logger: captureLogger().logger,
    backoffBaseMs: 20,
  });
  const schema = await checkCrmSchema(notion, { contacts: crm.databases.contacts });
  return {
    notion,
    cache: createContactCache(db),
    contacts: workerTargets(schema).leads.contacts,
    recheckDelaysMs: [150, 150, 150, 150],
  };
}

const contacts = () => crm.emulator.admin.listPages(crm.dataSources.contacts);
const lastContacted = (page: PageObjectResponse | undefined) =>
  (page?.properties["Last Contacted"] as { date: { start: string } | null } | undefined)?.date?.start;
const pagePatches = () => crm.emulator.stats.count({ method: "PATCH", path: /^\/v1\/pages\// });

it("writes Last Contacted to the minute, the precision Notion keeps", async () => {
  const deps = await setUp();
  await upsertContact(deps, [lead("ann@example.com")], new Date("2026-03-02T10:15:42.123Z"));
  expect(lastContacted(contacts()[0] as PageObjectResponse)).toBe("2026-03-02T10:15:00.000+00:00");
});

it("settles an ambiguous update against a Notion that keeps minutes, without sending it again", async () => {
  const deps = await setUp({ dateTimesToTheMinute: true });
  await upsertContact(deps, [lead("ann@example.com")], new Date("2026-03-02T10:15:42.123Z"));
  crm.emulator.faults.failNext(1, { kind: "commit-then-fail", status: 500, method: "PATCH", path: /^\/v1\/pages\// });
  const result = await upsertContact(deps, [lead("ann@example.com")], new Date("2026-03-02T11:20:07.456Z"));
  expect(result.created).toBe(false);
  expect(pagePatches()).toBe(1);
  expect(lastContacted(contacts()[0] as PageObjectResponse)).toBe("2026-03-02T11:20:00.000+00:00");
});

it("looks again over a few seconds after an ambiguous create, since Notion's query index lags, and creates once", async () => {
  const deps = await setUp({ queryIndexLagMs: 400 });
  crm.emulator.faults.failNext(1, { kind: "commit-then-fail", status: 502, method: "POST", path: /^\/v1\/pages$/ });
  const result = await upsertContact(deps, [lead("bo@example.com")], new Date("2026-03-02T10:15:00.000Z"));
  expect(contacts()).toHaveLength(1);
  expect(result).toEqual({ pageId: contacts()[0]!.id, created: true });
  expect(crm.emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/ })).toBe(1);
});

it("takes the page Notion names as committed without querying for it", async () => {
  const deps = await setUp({ queryIndexLagMs: 60_000 });
  crm.emulator.faults.failNext(1, {
    kind: "commit-then-fail",
    status: 504,
    method: "POST",
    path: /^\/v1\/pages$/,
    includeCommittedResourceId: true,
  });
  const result = await upsertContact(deps, [lead("cy@example.com")], new Date("2026-03-02T10:15:00.000Z"));
  expect(result).toEqual({ pageId: contacts()[0]!.id, created: true });
  expect(contacts()).toHaveLength(1);
});

it("fills a Name that is only the email when the same person comes back with a name", async () => {
  const deps = await setUp();
  await upsertContact(deps, [lead("dee@example.com")], new Date("2026-03-02T10:15:00.000Z"));
  expect(contacts()[0]!.properties.Name).toMatchObject({ title: [{ plain_text: "dee@example.com" }] });

  const result = await upsertContact(
    deps,
    [{ ...lead("dee@example.com"), name: "Dee Diaz", company: "Dee Co" }],
    new Date("2026-03-02T11:15:00.000Z"),
  );

  expect(result.created).toBe(false);
  expect(contacts()).toHaveLength(1);
  expect(contacts()[0]!.properties.Name).toMatchObject({ title: [{ plain_text: "Dee Diaz" }] });
  expect(contacts()[0]!.properties.Company).toMatchObject({ rich_text: [{ plain_text: "Dee Co" }] });
});

it("fills a Name that is only the email also when the contact is found in Notion, not in the cache", async () => {
  const deps = await setUp();
  crm.emulator.admin.insertPage(crm.dataSources.contacts, {
    Name: { title: [{ text: { content: "Eli@Example.com" } }] },
    Email: { email: "eli@example.com" },
  });

  await upsertContact(deps, [{ ...lead("eli@example.com"), name: "Eli Ek" }], new Date("2026-03-02T10:15:00.000Z"));

  expect(contacts()).toHaveLength(1);
  expect(contacts()[0]!.properties.Name).toMatchObject({ title: [{ plain_text: "Eli Ek" }] });
  // And a later lead with another name changes nothing: a real name is never overwritten.
  await upsertContact(
    deps,
    [{ ...lead("eli@example.com"), name: "Someone Else" }],
    new Date("2026-03-02T11:15:00.000Z"),
  );
  expect(contacts()[0]!.properties.Name).toMatchObject({ title: [{ plain_text: "Eli Ek" }] });
});
