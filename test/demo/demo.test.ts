import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { runTsFile } from "../support/run-node.js";

it("npm run demo runs to the end: setup, leads, a deal to won by webhook and one by poll, the digest, the report, all Slack messages printed", async () => {
  const result = await runTsFile("scripts/demo.ts", { timeoutMs: 150_000 });
  expect(result.stdout).not.toContain("Demo failed");
  expect(result.code).toBe(0);
  const out = result.stdout;
  expect(out).toMatch(/NOTION_CONTACTS_DB_ID=[0-9a-f-]{36}/);
  expect(out).toMatch(/a new lead: .*\n\s+→ 200 \{"status":"created"/);
  expect(out).toMatch(/other case: .*\n\s+→ 200 \{"status":"updated"/);
  expect(out).toMatch(/no email\): .*\n\s+→ 400 /);
  expect(out).toMatch(/wrong signature\): .*\n\s+→ 401 /);
  expect(out).toContain("Notion now has 1 contact: Ann Lee <ann@example.com>, Lee & Sons");
  expect(out).toMatch(/presses Send: .*\n\s+→ 303, Location: https:\/\/www\.example\.com\/thanks\//);
  expect(out).toContain("The contact it made: Zoë Ångström <zoe@example.com>");
  // New-lead alerts with their buttons, and a signed click that changes the contact and the message.
  expect(out).toMatch(/New lead: Zoë Ångström[^]*\[ Contacted \] \[ Not a fit \]/);
  expect(out).toContain("a forged copy (wrong signature) → 401");
  expect(out).toContain("the real click → 200 at once");
  expect(out).toMatch(/changed in place \(response_url\):[^]*Contacted by @Dana Lee/);
  expect(out).toContain("The contact now: Zoë Ångström <zoe@example.com>, no company, Status contacted");
  // One BCC'd email, through the shipped Cloudflare Worker, moves the lead from new lead to contacted.
  expect(out).toMatch(/Ann was a new lead, now: Ann Lee <ann@example.com>.*Status contacted/);
  expect(out).toContain('one Activities row: "Re: Your shop — a first idea" (Email sent)');
  expect(out).toContain("🤝 Deal in negotiation: Lee & Sons website — $12,000");
  // Not a terminal: no colour codes in the output.
  expect(out).not.toContain("\u001b[");
  expect(out).toContain("(proposal → negotiation)");
  // Events name properties by id, as Notion sends them, never by name.
  expect(out).toMatch(/updated_properties \["(?!Stage")[^"]+"\] \(Stage's property id\)/);
  expect(out).toContain("(negotiation → won)");
  // A deal alert that came by polling: no webhook event was sent for it.
  expect(out).toContain("🎉 Deal won: Acme retainer — $4,500");
  expect(out).toContain("(proposal → won)");
  expect(out).toMatch(/The poll found it [\d.]+ s later/);
  // Slack as an app: the owner is mentioned in the channel and told directly.
  expect(out).toContain("Owner: @Dana Lee");
  expect(out).toContain("a direct message to @Dana Lee");
  expect(out).toContain("as a mention (<@U0DANA0001>)");
  expect(out).toContain("4 stale leads");
  expect(out).toContain("escaped (&lt;!channel&gt;)");
  expect(out).toContain("Run again the same day: exit 0, nothing posted");
  // The weekly report, with its chart uploaded, and the owner's own numbers.
  expect(out).toContain("Win rate (90 days): 67% (6 won, 3 lost)");
  expect(out).toContain("Won in the last 7 days: 2 · $16,500 — Acme retainer, Lee & Sons website");
  expect(out).toMatch(/📎 pipeline-report\.png \(\d+ KB\)/);
  expect(out).toContain("Your pipeline this week: open $40,000 (1 deal)");
  const chart = /written to (\S+\.png)/.exec(out)?.[1];
  expect(chart && readFileSync(chart).subarray(1, 4).toString()).toBe("PNG");
  // Two new-lead alerts, two deal alerts by webhook, the negotiation direct message, one by poll, the digest, the report and its direct message.
  expect(out).toMatch(/9 Slack messages, \d+ Notion requests, 0 rate-limited/);
}, 180_000);
