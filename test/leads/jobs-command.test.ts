import { afterEach, expect, it } from "vitest";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { runTsFile } from "../support/run-node.js";

let h: CrmHarness;
afterEach(async () => {
  await h?.stop();
});

it("lists a dead lead with its error, and `retry` sends it to Notion once the cause is fixed", async () => {
  h = await startCrmHarness();
  h.crm.emulator.admin.updateProperty(h.crm.dataSources.contacts, "Company", { number: {} });
  const response = await h.postLead({ email: "dead@example.com", company: "Acme" });
  const id = response.body.id as string;

  const listed = await runTsFile("scripts/jobs.ts", { env: { DATA_DIR: h.dataDir } });
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain("0 queued, 0 done, 1 dead, 0 spam");
  expect(listed.stdout).toContain(id);
  expect(listed.stdout).toContain("dead@example.com");
  expect(listed.stdout).toMatch(/last error: Notion rejected pages\.create contact: validation_error/);

  h.crm.emulator.admin.updateProperty(h.crm.dataSources.contacts, "Company", { rich_text: {} });
  const retried = await runTsFile("scripts/jobs.ts", { env: { DATA_DIR: h.dataDir }, args: ["retry", id] });
  expect(retried).toMatchObject({ code: 0, stdout: `requeued ${id}\n` });
  await eventually(() => expect(h.contacts()).toHaveLength(1), { timeoutMs: 10_000 });

  const again = await runTsFile("scripts/jobs.ts", { env: { DATA_DIR: h.dataDir }, args: ["retry", id] });
  expect(again.code).toBe(1);
  expect(again.stdout).toContain("no dead lead has that id");
});

it("lists a dead Slack message and `retry-slack` puts it back in the outbox", async () => {
  h = await startCrmHarness();
  const { openStore } = await import("../../src/store/open-store.js");
  const { createSlackOutbox } = await import("../../src/slack/slack-outbox.js");
  const db = openStore(h.dataDir);
  const outbox = createSlackOutbox(db);
  const { item } = outbox.enqueue({ text: "🎉 Deal won: *Acme*" }, "test:dead");
  outbox.markDead(item.id, "HTTP 404 channel_not_found");
  db.close();

  const listed = await runTsFile("scripts/jobs.ts", { env: { DATA_DIR: h.dataDir } });
  expect(listed.stdout).toContain("Dead Slack messages");
  expect(listed.stdout).toContain("channel_not_found");
  const retried = await runTsFile("scripts/jobs.ts", {
    env: { DATA_DIR: h.dataDir },
    args: ["retry-slack", String(item.id)],
  });
  expect(retried).toMatchObject({ code: 0, stdout: `requeued ${item.id}\n` });
});

it("`find <email>` traces each submission from that address: time, state, Notion page, last error", async () => {
  h = await startCrmHarness();
  const done = await h.postLead({ email: "ann@example.com", name: "Ann" });
  h.crm.emulator.admin.updateProperty(h.crm.dataSources.contacts, "Company", { number: {} });
  await h.postLead({ email: "Bob@Example.com", company: "Acme" });
  await h.postLead({ email: "other@example.com" });

  const ann = await runTsFile("scripts/jobs.ts", { env: { DATA_DIR: h.dataDir }, args: ["find", "ANN@example.com"] });
  expect(ann.code).toBe(0);
  const annLines = ann.stdout.trim().split("\n");
  expect(annLines).toHaveLength(2);
  expect(annLines[1]).toMatch(
    /^ {2}\d{4}-\d{2}-\d{2}T\S+Z {2}done +Notion page https:\/\/www\.notion\.so\/[0-9a-f]{32} \(created\)/,
  );
  expect(annLines[1]).toContain((done.body.id as string).replaceAll("-", ""));

  const bob = await runTsFile("scripts/jobs.ts", { env: { DATA_DIR: h.dataDir }, args: ["find", "bob@example.com"] });
  expect(bob.stdout).toMatch(/dead +no Notion page \(Notion refused it\)/);
  expect(bob.stdout).toMatch(/last error: Notion rejected pages\.create contact: validation_error/);
  expect(bob.stdout).not.toContain("other@example.com");

  const nobody = await runTsFile("scripts/jobs.ts", {
    env: { DATA_DIR: h.dataDir },
    args: ["find", "zed@example.com"],
  });
  expect(nobody).toMatchObject({ code: 1, stdout: `No submission from zed@example.com in ${h.dataDir}.\n` });
});
