import { afterEach, expect, it } from "vitest";
import { createContactCache } from "../../src/contacts/contact-cache.js";
import { createContactWriter } from "../../src/contacts/contact-writer.js";
import { workerTargets } from "../../src/notion/worker-targets.js";
import { createEmailWorker, type FirstTouch } from "../../src/inbound-email/email-worker.js";
import { createInboundEmailQueue } from "../../src/inbound-email/inbound-email-queue.js";
import { checkCrmSchema } from "../../src/notion/check-crm-schema.js";
import { createNotionGateway } from "../../src/notion/notion-gateway.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";

let crm: CrmEmulator;
let dir: ReturnType<typeof makeTempDir>;
let db: Store;
afterEach(async () => {
  await crm.stop();
  db.close();
  dir.remove();
});

const EMAIL_AT = Date.parse("2026-11-03T13:05:00.000Z");

it("records each contact a sent email reaches as a first touch, once, through the injected onFirstTouch; received mail is no touch", async () => {
  crm = await startCrmEmulator();
  dir = makeTempDir("crm-email-worker-");
  db = openStore(dir.path);
  const notion = createNotionGateway({
    token: crm.emulator.token,
    baseUrl: crm.emulator.url,
    requestsPerMinute: 60_000,
    db,
    logger: captureLogger().logger,
    backoffBaseMs: 10,
  });
  const lena = crm.emulator.admin.insertPage(crm.dataSources.contacts, {
    Name: { title: [{ text: { content: "Lena" } }] },
    Email: { email: "lena@example.org" },
    Status: { select: { name: "new lead" } },
  });
  const schema = await checkCrmSchema(notion, { contacts: crm.databases.contacts });
  const writer = createContactWriter({
    notion,
    cache: createContactCache(db),
    contacts: workerTargets(schema).leads.contacts,
  });
  const queue = createInboundEmailQueue(db);
  const touches: FirstTouch[] = [];
  const worker = createEmailWorker({
    queue,
    notion,
    logger: captureLogger().logger,
    statusContacted: "contacted",
    onFirstTouch: (touch) => void touches.push(touch),
  });
  const store = (key: string, direction: "sent" | "received", addresses: string[]) =>
    queue.store({
      key,
      via: "raw",
      direction: { direction, addresses },
      from: direction === "sent" ? "sam@acme.com" : "lena@example.org",
      subject: "Hello",
      dateMs: EMAIL_AT,
      messageId: key,
      snippet: "hi",
    }).item.id;
  const sent = store("sent-1", "sent", ["lena@example.org", "nobody@example.net"]);
  const received = store("received-1", "received", ["lena@example.org"]);
  worker.start({ writer });
  try {
    const [a, b] = await Promise.all([worker.waitFor(sent, 10_000), worker.waitFor(received, 10_000)]);
    expect(a).toMatchObject({ state: "done", result: { contacts: 1, unknown: 1 }, snippet: undefined });
    expect(b).toMatchObject({ state: "done", result: { contacts: 1, unknown: 0 } });
  } finally {
    await worker.stop();
  }
  expect(touches).toEqual([{ pageId: lena.id, email: "lena@example.org", at: new Date(EMAIL_AT), via: "email" }]);
  expect(queue.jobs.get(sent)?.progress["lena@example.org"]).toMatchObject({
    pageId: lena.id,
    firstTouchRecorded: true,
  });
});
