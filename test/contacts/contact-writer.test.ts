import type { PageObjectResponse } from "@notionhq/client";
import { afterEach, expect, it } from "vitest";
import { createContactCache } from "../../src/contacts/contact-cache.js";
import { createContactWriter, type ContactWriter } from "../../src/contacts/contact-writer.js";
import { workerTargets } from "../../src/notion/worker-targets.js";
import { checkCrmSchema } from "../../src/notion/check-crm-schema.js";
import { createNotionGateway } from "../../src/notion/notion-gateway.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { selectOf, textOf } from "../support/notion-page.js";
import { makeTempDir } from "../support/temp-dir.js";

let crm: CrmEmulator;
let dir: ReturnType<typeof makeTempDir>;
let db: Store;
afterEach(async () => {
  await crm.stop();
  db.close();
  dir.remove();
});

/** The writer as the next features will use it: the server's live gateway, the shared cache. */
async function setUp({ owner = false } = {}): Promise<ContactWriter> {
  crm = await startCrmEmulator();
  if (owner) crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Owner", { people: {} });
  dir = makeTempDir("crm-writer-");
  db = openStore(dir.path);
  const notion = createNotionGateway({
    token: crm.emulator.token,
    baseUrl: crm.emulator.url,
    requestsPerMinute: 60_000,
    db,
    logger: captureLogger().logger,
    backoffBaseMs: 10,
  });
  const schema = await checkCrmSchema(notion, { contacts: crm.databases.contacts });
  return createContactWriter({
    notion,
    cache: createContactCache(db),
    contacts: workerTargets(schema).leads.contacts,
    recheckDelaysMs: [50],
  });
}

function seed(email: string, fields: { name?: string; status?: string; lastContacted?: string } = {}) {
  return crm.emulator.admin.insertPage(crm.dataSources.contacts, {
    Name: { title: [{ text: { content: fields.name ?? email } }] },
    Email: { email },
    ...(fields.status !== undefined && { Status: { select: { name: fields.status } } }),
    ...(fields.lastContacted !== undefined && { "Last Contacted": { date: { start: fields.lastContacted } } }),
  });
}

const page = (id: string) => crm.emulator.admin.getPage(id)!;
const lastContacted = (p: PageObjectResponse) =>
  (p.properties["Last Contacted"] as { date: { start: string } | null }).date?.start;
const patches = () => crm.emulator.stats.count({ method: "PATCH", path: /^\/v1\/pages\// });
const creates = () => crm.emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/ });
const CLICK_AT = new Date("2026-06-01T12:00:00.000Z");

it("Contacted: Last Contacted becomes now, and `new lead` becomes contacted; another Status stays", async () => {
  const writer = await setUp();
  const fresh = seed("new@example.com", { status: "new lead", lastContacted: "2026-01-01" });
  const customer = seed("cust@example.com", { status: "customer", lastContacted: "2026-01-01" });
  const contacted = {
    lastContacted: { at: CLICK_AT, when: "always" as const },
    status: { to: "contacted", from: ["new lead"] },
  };

  expect(await writer.updateContact({ email: "new@example.com" }, contacted)).toEqual({
    pageId: fresh.id,
    outcome: "updated",
  });
  await writer.updateContact({ pageId: customer.id }, contacted);

  expect(selectOf(page(fresh.id), "Status")).toBe("contacted");
  expect(lastContacted(page(fresh.id))).toBe("2026-06-01T12:00:00.000+00:00");
  expect(selectOf(page(customer.id), "Status")).toBe("customer");
  expect(lastContacted(page(customer.id))).toBe("2026-06-01T12:00:00.000+00:00");
});

it("a logged email moves Last Contacted only forward, and a patch that changes nothing sends nothing", async () => {
  const writer = await setUp();
  const contact = seed("ann@example.com", { lastContacted: "2026-05-01T09:00:00.000Z" });
  crm.emulator.stats.reset();

  const older = await writer.updateContact(
    { email: "ann@example.com" },
    { lastContacted: { at: new Date("2026-04-01T09:00:00.000Z"), when: "later" } },
  );
  expect(older).toEqual({ pageId: contact.id, outcome: "unchanged" });
  expect(patches()).toBe(0);

  await writer.updateContact(
    { email: "ann@example.com" },
    { lastContacted: { at: new Date("2026-05-02T08:00:00.000Z"), when: "later" } },
  );
  expect(lastContacted(page(contact.id))).toBe("2026-05-02T08:00:00.000+00:00");
  expect(patches()).toBe(1);
});

it("Not a fit sets Status whatever it was; Claim sets the Owner", async () => {
  const writer = await setUp({ owner: true });
  const contact = seed("bo@example.com", { status: "qualified" });
  const user = crm.emulator.admin.addUser("Sam Seller", { email: "sam@team.example" });

  await writer.updateContact({ email: "bo@example.com" }, { status: { to: "not a fit" } });
  await writer.updateContact({ pageId: contact.id }, { owner: [user] });

  expect(selectOf(page(contact.id), "Status")).toBe("not a fit");
  expect((page(contact.id).properties.Owner as { people: Array<{ id: string }> }).people.map((p) => p.id)).toEqual([
    user,
  ]);
});

it("never creates a contact on an update: an unknown email or page id is undefined", async () => {
  const writer = await setUp();
  await expect(writer.updateContact({ email: "nobody@example.com" }, { status: { to: "contacted" } })).resolves.toBe(
    undefined,
  );
  await expect(
    writer.updateContact({ pageId: "0badc0de-0000-4000-8000-000000000000" }, { status: { to: "contacted" } }),
  ).resolves.toBe(undefined);
  expect(creates()).toBe(0);
});

it("finds a contact through the shared cache once a write has put it there, without a query", async () => {
  const writer = await setUp();
  const created = await writer.upsertFromLead({ email: "cy@example.com", name: "Cy" }, CLICK_AT);
  crm.emulator.stats.reset();

  const found = await writer.findContact("cy@example.com");

  expect(found?.id).toBe(created.pageId);
  expect(textOf(found!, "Name")).toBe("Cy");
  expect(crm.emulator.stats.count({ method: "POST", path: /\/query$/ })).toBe(0);
});

it("by page id, a patch that needs no reading is one call: a Status known from a message, Not a fit, Snoozed Until", async () => {
  const writer = await setUp();
  crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Snoozed Until", { date: {} });
  const fresh = seed("fresh@example.com", { status: "new lead" });
  const moved = seed("moved@example.com", { status: "qualified" });
  const contacted = {
    lastContacted: { at: CLICK_AT, when: "always" as const },
    status: { to: "contacted", from: ["new lead"] },
  };
  const reads = () => crm.emulator.stats.count({ method: "GET", path: /^\/v1\/pages\// });
  crm.emulator.stats.reset();

  // The caller saw it as a new lead a moment ago: written without reading the page.
  await writer.updateContact({ pageId: fresh.id }, contacted, { knownStatus: "new lead" });
  expect([reads(), patches()]).toEqual([0, 1]);
  expect(selectOf(page(fresh.id), "Status")).toBe("contacted");
  expect(lastContacted(page(fresh.id))).toBe("2026-06-01T12:00:00.000+00:00");

  // Without it, the page is read first and a Status that moved on is kept.
  await writer.updateContact({ pageId: moved.id }, contacted);
  expect([reads(), patches()]).toEqual([1, 2]);
  expect(selectOf(page(moved.id), "Status")).toBe("qualified");

  await writer.updateContact({ pageId: moved.id }, { status: { to: "not a fit" }, snoozedUntil: "2026-06-08" });
  expect([reads(), patches()]).toEqual([1, 3]);
  expect(selectOf(page(moved.id), "Status")).toBe("not a fit");
  expect((page(moved.id).properties["Snoozed Until"] as { date: { start: string } | null }).date?.start).toBe(
    "2026-06-08",
  );
});
