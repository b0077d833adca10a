import { afterEach, expect, it } from "vitest";
import { createContactCache } from "../../src/contacts/contact-cache.js";
import { createContactWriter } from "../../src/contacts/contact-writer.js";
import { createCreateClaims } from "../../src/contacts/create-claims.js";
import { workerTargets } from "../../src/notion/worker-targets.js";
import { checkCrmSchema } from "../../src/notion/check-crm-schema.js";
import { createNotionGateway } from "../../src/notion/notion-gateway.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";

let crm: CrmEmulator;
let dir: ReturnType<typeof makeTempDir>;
const stores: Store[] = [];
afterEach(async () => {
  await crm.stop();
  for (const store of stores.splice(0)) store.close();
  dir.remove();
});

const creates = () => crm.emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/ });
const contactsOf = (email: string) =>
  crm.emulator.admin
    .listPages(crm.dataSources.contacts)
    .filter((page) => (page.properties["Email"] as { email: string | null }).email === email);

/**
 * Two processes on one DATA_DIR, each with its own state-file connection and
 * gateway: the server (live lane) and an import (bulk lane). `createGate`
 * holds the server's create in flight until the test lets it go.
 */
async function twoProcesses({ claims }: { claims: boolean }) {
  crm = await startCrmEmulator();
  dir = makeTempDir("crm-claims-");
  let releaseCreate: () => void = () => {};
  const createHeld = new Promise<void>((resolve) => (releaseCreate = resolve));
  let createSent: () => void = () => {};
  const serverCreateSent = new Promise<void>((resolve) => (createSent = resolve));
  const writerFor = async (lane: "live" | "bulk", fetchHook?: typeof fetch) => {
    const db = openStore(dir.path);
    stores.push(db);
    const notion = createNotionGateway({
      token: crm.emulator.token,
      baseUrl: crm.emulator.url,
      requestsPerMinute: 60_000,
      db,
      logger: captureLogger().logger,
      backoffBaseMs: 10,
      lane,
      ...(fetchHook && { fetch: fetchHook }),
    });
    const schema = await checkCrmSchema(notion, { contacts: crm.databases.contacts });
    return createContactWriter({
      notion,
      cache: createContactCache(db),
      ...(claims && { claims: createCreateClaims(db) }),
      contacts: workerTargets(schema).leads.contacts,
      recheckDelaysMs: [50],
    });
  };
  // The server's create is on its way (Notion has not made the page yet) until the import has reached the same email.
  const server = await writerFor("live", async (input, init) => {
    const isCreate = init?.method === "POST" && new URL(String(input)).pathname === "/v1/pages";
    if (isCreate) {
      createSent();
      await createHeld;
    }
    return fetch(input, init);
  });
  const importer = await writerFor("bulk");
  return { server, importer, releaseCreate, serverCreateSent };
}

const AT = new Date("2026-06-01T12:00:00.000Z");

it("an import reaching an email while the server's create of it is in flight waits and updates that contact", async () => {
  const { server, importer, releaseCreate, serverCreateSent } = await twoProcesses({ claims: true });
  const fromServer = server.upsertFromLead({ email: "race@example.com", name: "From Lead" }, AT);
  await serverCreateSent;
  const fromImport = importer.upsert(
    { email: "race@example.com", name: "From File", company: "File Co", source: "import", status: "new lead" },
    { fill: { company: "File Co" } },
  );
  // The import waits while the server holds the email's claim: nothing has been created by either yet.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(creates()).toBe(0);
  releaseCreate();
  const [lead, imported] = await Promise.all([fromServer, fromImport]);
  expect(lead.outcome).toBe("created");
  expect(imported).toEqual({ pageId: lead.pageId, outcome: "updated" });
  expect(contactsOf("race@example.com")).toHaveLength(1);
  expect(creates()).toBe(1);
});

it("without the claim, the same race makes two contacts (the defect the claim fixes)", async () => {
  const { server, importer, releaseCreate, serverCreateSent } = await twoProcesses({ claims: false });
  const fromServer = server.upsertFromLead({ email: "race@example.com", name: "From Lead" }, AT);
  await serverCreateSent;
  const imported = await importer.upsert(
    { email: "race@example.com", name: "From File", source: "import", status: "new lead" },
    {},
  );
  releaseCreate();
  await fromServer;
  // Notion had not made the server's page when the import looked: it saw none and created a second.
  expect(imported.outcome).toBe("created");
  expect(contactsOf("race@example.com")).toHaveLength(2);
});
