// `npm run demo`: the whole system on this machine, with no Notion account and
// no Slack. A built-in Notion emulator stands in for Notion, a loopback
// Slack Web API prints what the Slack app posts; everything else is the real thing: the
// setup-notion command, the server process, signed HTTP requests, the digest.
// The commands run in a scratch directory, so a .env of yours is not read.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONTACT, DEAL, DEAL_STAGE, NEW_LEAD_STATUS } from "../src/crm-schema/crm-schema.js";
import { startNotionEmulator } from "@notion-crm/notion-emulator";
import { sleep } from "../src/util/sleep.js";
import { runTsFile } from "./lib/run-ts-file.js";
import { postBrowserForm } from "./lib/form-post.js";
import { pageEvent, postNotionEvent, postSignedLead, type PostAnswer } from "./lib/signed-post.js";
import { waitUntil } from "./lib/wait-until.js";
import {
  blockActionsPayload,
  buttonLabelled,
  buttonsOf,
  postSlackInteraction,
  signSlackInteraction,
} from "./lib/slack-interaction.js";
import { startSlackAppPrinter } from "./demo/slack-app-printer.js";
import { spawnServer, type SpawnedServer } from "./lib/spawn-server.js";
import { deliverToCrm } from "../deploy/cloudflare-email-worker/worker.js";

/** Where the demo leaves the report's chart, so you can look at it. */
const DEMO_CHART = join(tmpdir(), "notion-crm-demo-report-chart.png");

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  process.stdout.write(`Usage: npm run demo

The whole system on this machine, with no Notion account and no Slack: a
built-in Notion emulator, setup-notion, the server as its own process, signed
leads, a deal moving to won, the digest, the weekly pipeline report; Slack
messages printed here. It reads no .env and leaves nothing behind but the
report's chart, written to ${DEMO_CHART}. Takes about a minute.
`);
  process.exit(0);
}

const FORM_SECRET = "demo-form-secret";
const WEBHOOK_SECRET = "secret_demo_webhook_verification_token";
const SLACK_SIGNING_SECRET = "demo-slack-signing-secret";
const DAY_MS = 24 * 60 * 60 * 1000;
const DEMO_POLL_SECONDS = 2;
const SITE = "https://www.example.com";
const INBOUND_EMAIL_SECRET = "demo-inbound-email-secret";

const say = (text = "") => process.stdout.write(`${text}\n`);
let stepNumber = 0;
const step = (title: string) => say(`\n━━ ${++stepNumber}. ${title}`);

// The integration may read emails, so a deal's owner can be found in Slack and mentioned.
const emulator = await startNotionEmulator({ requestsPerMinute: 180, userInformation: "with_email" });
const slack = await startSlackAppPrinter(say, {
  channel: { id: "C0SALES0001", name: "sales" },
  users: { "dana@acme.example": { id: "U0DANA0001", name: "Dana Lee" } },
});
const dataDir = mkdtempSync(join(tmpdir(), "notion-crm-demo-"));
let server: SpawnedServer | undefined;
let failed = false;

try {
  step("A Notion workspace (the built-in emulator, limited to 3 requests/s like Notion)");
  const parent = emulator.admin.createWorkspacePage("Acme CRM");
  say(`  Notion API at ${emulator.url}; a page "Acme CRM" (${parent}) shared with the integration.`);

  step("npm run setup-notion -- --parent <page>");
  const notionEnv = { NOTION_TOKEN: emulator.token, NOTION_BASE_URL: emulator.url, DATA_DIR: dataDir };
  const setup = await runTsFile("scripts/setup-notion.ts", {
    args: ["--parent", parent],
    env: notionEnv,
    cwd: dataDir,
  });
  if (setup.code !== 0) throw new Error(`setup-notion failed:\n${setup.stderr}`);
  say(indent(setup.stdout));
  const ids = Object.fromEntries(
    setup.stdout
      .split("\n")
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split("=", 2) as [string, string]),
  );

  step("npm start (the server, as its own process)");
  const env = {
    ...notionEnv,
    ...ids,
    FORM_SECRET,
    NOTION_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SLACK_BOT_TOKEN: slack.token,
    SLACK_CHANNEL: slack.channelId,
    SLACK_API_URL: slack.url,
    SLACK_SIGNING_SECRET,
    FORM_ALLOWED_ORIGINS: SITE,
    FORM_REDIRECT_URL: `${SITE}/thanks/`,
    // Logging the team's emails: mail from acme.example is the team's.
    TEAM_EMAIL_DOMAINS: "acme.example",
    INBOUND_EMAIL_SECRET,
    PORT: "0",
    // The server also polls the Deals database; every 2 s here, 300 s by default.
    DEALS_POLL_SECONDS: String(DEMO_POLL_SECONDS),
  };
  server = await spawnServer(env, { cwd: dataDir });
  say(`  Listening on ${server.url}; it checked the three databases' schema first.`);

  step("Website leads: POST /lead, signed with FORM_SECRET");
  await showLead(server.url, "a new lead", {
    email: "ann@example.com",
    name: "Ann Lee",
    message: "Can you quote a new website?",
    utm_source: "newsletter",
  });
  await showLead(server.url, "the same person again, e-mail in other case", {
    email: " ANN@Example.com ",
    company: "Lee & Sons",
    message: "Also a logo, please.",
  });
  await showLead(server.url, "an invalid one (no email)", { name: "Nobody" });
  await showLead(server.url, "a forged one (wrong signature)", { email: "mallory@example.com" }, "not-the-secret");
  const contactsId = emulator.admin.dataSourceOf(ids.NOTION_CONTACTS_DB_ID!);
  const ann = emulator.admin.listPages(contactsId);
  say(`  Notion now has ${ann.length} contact: ${ann.map((page) => describeContact(page.properties)).join("; ")}`);

  step("A static site's contact form: POST /form, as a browser posts it (no signature; Origin checked)");
  const fields = { email: "zoe@example.com", name: "Zoë Ångström", message: "Do you build shops?" };
  const form = await postBrowserForm(server.url, fields, SITE);
  say(`  A visitor on ${SITE} presses Send: ${new URLSearchParams(fields).toString()}`);
  say(`    → ${form.status}, Location: ${form.location} (answered once stored, without waiting for Notion)`);
  await waitUntil(
    () => emulator.admin.listPages(contactsId).some((page) => describeContact(page.properties).includes("zoe@")),
    {
      what: "the form's contact",
    },
  );
  const zoe = emulator.admin.listPages(contactsId).find((page) => describeContact(page.properties).includes("zoe@"))!;
  say(`  The contact it made: ${describeContact(zoe.properties)}`);

  step("New-lead alerts in Slack, and acting on a lead with a button");
  say(
    "  Each new contact (not a repeat) is announced; an alert waits 15 s for the rest of a burst (> 5 in a minute: one message).",
  );
  const alertFor = (email: string) =>
    slack.posted().find((message) => message.text.includes("New lead") && message.text.includes(email));
  await waitUntil(() => alertFor("zoe@example.com") !== undefined && alertFor("ann@example.com") !== undefined, {
    what: "the new-lead alerts",
    timeoutMs: 40_000,
  });
  const zoeAlert = alertFor("zoe@example.com")!;
  say(
    `  Zoë's alert carries the buttons: ${buttonsOf(zoeAlert)
      .map((button) => button.text?.text)
      .join(", ")}.`,
  );
  say("  Dana clicks Contacted. Slack posts the click, signed with the app's signing secret, to POST /slack/actions:");
  const clickPayload = blockActionsPayload({
    message: zoeAlert,
    button: buttonLabelled(zoeAlert, "Contacted"),
    responseUrl: slack.responseUrl(),
    teamId: slack.teamId,
  });
  const forged = await postSlackInteraction(server.url, signSlackInteraction(clickPayload, "not-the-signing-secret"));
  say(`    a forged copy (wrong signature) → ${forged.status}; nothing changes`);
  const clicked = await postSlackInteraction(server.url, signSlackInteraction(clickPayload, SLACK_SIGNING_SECRET));
  say(`    the real click → ${clicked.status} at once (stored first; the click worker applies it to Notion)`);
  await waitUntil(() => slack.updated().length > 0, { what: "the clicked message to change" });
  slack.printUpdate(0);
  const zoeAfter = emulator.admin
    .listPages(contactsId)
    .find((page) => describeContact(page.properties).includes("zoe@"))!;
  say(`  The contact now: ${describeContact(zoeAfter.properties)}`);
  if (!describeContact(zoeAfter.properties).includes("Status contacted"))
    throw new Error("the Contacted click did not change the contact");

  step("Logging the team's emails: Dana BCCs the CRM's address when she answers Ann");
  const message = [
    "From: Dana Lee <dana@acme.example>",
    "To: Ann Lee <Ann@Example.com>",
    "Bcc: log@crm.acme.example",
    "Subject: =?UTF-8?Q?Re:_Your_shop_=E2=80=94_a_first_idea?=",
    `Date: ${new Date().toUTCString()}`,
    "Message-ID: <demo-bcc-1@acme.example>",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Hi Ann, yes we do. A first idea attached; shall we talk on Monday?",
    "",
    "-- ",
    "Dana Lee, Acme",
    "",
  ].join("\r\n");
  say("  Cloudflare Email Routing hands the message to the Worker in deploy/cloudflare-email-worker,");
  say("  which signs it and posts it to /inbound-email/raw (here it is called directly):");
  const rejected: string[] = [];
  const delivered = await deliverToCrm(
    { raw: new Response(message).body!, setReject: (reason) => void rejected.push(reason) },
    { CRM_URL: server.url, INBOUND_EMAIL_SECRET },
  );
  if (delivered.status !== 200 || rejected.length > 0) throw new Error(`the email was not taken: ${delivered.status}`);
  await waitUntil(
    () => describeContact(contactOf(emulator, contactsId, "ann@").properties).includes("Status contacted"),
    {
      what: "the logged email",
    },
  );
  const logged = contactOf(emulator, contactsId, "ann@");
  say(`    → ${delivered.status}; Ann was a new lead, now: ${describeContact(logged.properties)}`);
  say(`      Last Contacted ${(logged.properties[CONTACT.lastContacted] as { date: { start: string } }).date.start}`);
  const activitiesId = emulator.admin.dataSourceOf(ids.NOTION_ACTIVITIES_DB_ID!);
  const row = emulator.admin
    .listPages(activitiesId)
    .find((page) => JSON.stringify(page.properties).includes("Email sent"));
  say(
    `      and one Activities row: ${JSON.stringify(row?.properties.Name && (row.properties.Name as { title: Array<{ plain_text: string }> }).title.map((t) => t.plain_text).join(""))} (Email sent); the body is not kept.`,
  );

  step("Deals: Notion webhooks tell the server about stage changes; Slack hears about negotiation, won and lost");
  const handshake = await postWebhook(server.url, { verification_token: WEBHOOK_SECRET }, false);
  say(`  Notion's verification handshake → ${handshake.status} (the server logs the token to paste back into Notion)`);
  const deals = {
    databaseId: ids.NOTION_DEALS_DB_ID!,
    dataSourceId: emulator.admin.dataSourceOf(ids.NOTION_DEALS_DB_ID!),
  };
  // Notion's events name the changed properties by id, never by name.
  const stageId = await propertyId(emulator, deals.dataSourceId, DEAL.stage);
  const dana = emulator.admin.addUser("Dana Lee", { email: "dana@acme.example" });
  const deal = emulator.admin.insertPage(deals.dataSourceId, {
    [DEAL.name]: { title: [{ text: { content: "Lee & Sons website" } }] },
    [DEAL.stage]: { select: { name: DEAL_STAGE.proposal } },
    [DEAL.value]: { number: 12_000 },
    [DEAL.owner]: { people: [{ id: dana }] },
  });
  say(`  Dana Lee adds the deal "Lee & Sons website" at stage proposal, $12,000, with herself as Owner.`);
  say(
    `  Slack runs as an app: alerts mention the owner (Notion user → email → Slack user), who is also told directly.`,
  );
  await postWebhook(server.url, pageEvent("page.created", deal.id, deals, [stageId]));
  // The server reads a deal once its events have been quiet for a second.
  await sleep(1_500);
  for (const stage of [DEAL_STAGE.negotiation, DEAL_STAGE.won]) {
    const before = slack.count();
    emulator.admin.updatePage(deal.id, { [DEAL.stage]: { select: { name: stage } } });
    say(
      `\n  In Notion the deal moves to ${stage}; Notion sends page.properties_updated with updated_properties ${JSON.stringify([stageId])} (Stage's property id).`,
    );
    await postWebhook(server.url, pageEvent("page.properties_updated", deal.id, deals, [stageId]));
    // Into negotiation: the channel's alert and a direct message to the owner.
    const expected = before + (stage === DEAL_STAGE.negotiation ? 2 : 1);
    await waitUntil(() => slack.count() >= expected, { what: `the ${stage} message` });
  }
  const mentioned = slack.lastRaw().includes("<@U0DANA0001>");
  say(`\n  The Owner went to Slack as ${mentioned ? "a mention (<@U0DANA0001>): Slack notifies Dana" : "NO mention"}.`);
  if (!mentioned) throw new Error("the deal alert did not mention its owner");

  step("Deals without a webhook: the server polls Notion every DEALS_POLL_SECONDS");
  const retainer = emulator.admin.insertPage(deals.dataSourceId, {
    [DEAL.name]: { title: [{ text: { content: "Acme retainer" } }] },
    [DEAL.stage]: { select: { name: DEAL_STAGE.proposal } },
    [DEAL.value]: { number: 4_500 },
  });
  say(`  A deal "Acme retainer" is added at stage proposal; no webhook event is sent for it at all.`);
  // Let a poll learn its stage first.
  await sleep(DEMO_POLL_SECONDS * 1_500);
  const beforePoll = slack.count();
  emulator.admin.updatePage(retainer.id, { [DEAL.stage]: { select: { name: DEAL_STAGE.won } } });
  const movedAt = Date.now();
  say(`  In Notion it moves to won, and again no event is sent.`);
  await waitUntil(() => slack.count() > beforePoll, { what: "the polled won message" });
  say(
    `  The poll found it ${fixed((Date.now() - movedAt) / 1000)} s later (DEALS_POLL_SECONDS=${DEMO_POLL_SECONDS}): no public URL needed.`,
  );

  step("The stale-lead digest: npm run stale-leads -- --once");
  for (const [i, name] of ["Bob Ray", "Cy Tan", "Di Ochoa", "<!channel> Eve"].entries()) {
    emulator.admin.insertPage(contactsId, {
      [CONTACT.name]: { title: [{ text: { content: name } }] },
      [CONTACT.email]: { email: `${name.split(" ").at(-1)!.toLowerCase()}@example.com` },
      [CONTACT.status]: { select: { name: NEW_LEAD_STATUS } },
      ...(i === 3
        ? {}
        : {
            [CONTACT.lastContacted]: { date: { start: new Date(Date.now() - (40 + i * 20) * DAY_MS).toISOString() } },
          }),
    });
  }
  say(
    "  Seeded four old leads: three last contacted 40 to 80 days ago, one never contacted (named to try to @channel).",
  );
  const before = slack.count();
  const digest = await runTsFile("scripts/stale-leads.ts", { args: ["--once"], env, cwd: dataDir });
  if (digest.code !== 0) throw new Error(`the digest failed:\n${digest.stderr}`);
  await waitUntil(() => slack.count() > before, { what: "the digest" });
  const escaped = slack.lastRaw().includes("&lt;!channel&gt;");
  say(
    `  The name "<!channel> Eve" went to Slack ${escaped ? "escaped (&lt;!channel&gt;): shown as text, it pings no one" : "UNESCAPED"}.`,
  );
  if (!escaped) throw new Error("a user's text reached Slack unescaped");
  const again = await runTsFile("scripts/stale-leads.ts", { args: ["--once"], env, cwd: dataDir });
  say(
    `  Run again the same day: exit ${again.code}, nothing posted (one digest a day per DATA_DIR; --force overrides).`,
  );

  step("The weekly pipeline report: npm run report -- --once --out <file.png>");
  const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
  const history: Array<[string, string, number, number, number]> = [
    // name, stage, value, days since its last edit, days since it was created
    ["Globex CRM rollout", DEAL_STAGE.new, 18_000, 2, 2],
    ["Initech support plan", DEAL_STAGE.qualified, 7_500, 30, 45],
    ["Umbrella security audit", DEAL_STAGE.proposal, 22_000, 6, 20],
    ["Hooli pilot", DEAL_STAGE.negotiation, 40_000, 3, 35],
    ["Soylent catering app", DEAL_STAGE.won, 9_000, 10, 40],
    ["Stark Industries portal", DEAL_STAGE.won, 15_000, 24, 60],
    ["Wayne Foundation site", DEAL_STAGE.won, 6_000, 38, 70],
    ["Wonka shop", DEAL_STAGE.won, 11_000, 45, 80],
    ["Tyrell rebrand", DEAL_STAGE.lost, 5_000, 4, 30],
    ["Cyberdyne intranet", DEAL_STAGE.lost, 8_000, 17, 50],
    ["Oscorp newsletter", DEAL_STAGE.lost, 3_500, 31, 55],
  ];
  for (const [name, stage, value, edited, created] of history) {
    emulator.admin.insertPage(
      deals.dataSourceId,
      {
        [DEAL.name]: { title: [{ text: { content: name } }] },
        [DEAL.stage]: { select: { name: stage } },
        [DEAL.value]: { number: value },
        ...(name === "Hooli pilot" && { [DEAL.owner]: { people: [{ id: dana }] } }),
      },
      { createdTime: daysAgo(created), lastEditedTime: daysAgo(edited) },
    );
  }
  say(
    `  ${history.length} older deals added (closed over the last 8 weeks, one untouched for 30 days). The two deals the server saw move are dated from its stage history.`,
  );
  const beforeReport = slack.count();
  const report = await runTsFile("scripts/report.ts", {
    args: ["--once", "--out", DEMO_CHART],
    env: { ...env, STAGE_PROBABILITIES: "new:10,qualified:25,proposal:40,negotiation:60" },
    cwd: dataDir,
  });
  if (report.code !== 0) throw new Error(`the report failed:\n${report.stderr}`);
  await waitUntil(() => slack.uploads().length > 0 && slack.count() > beforeReport, { what: "the report" });
  say(`  The chart went to Slack with the message, and was written to ${DEMO_CHART} (open it to look).`);

  step("Done");
  say(
    `  ${slack.count()} Slack messages, ${emulator.stats.requests.length} Notion requests, ${emulator.stats.rateLimited} rate-limited (429).`,
  );
  say(`
  With a real Notion workspace (README, "Quick setup", says each step in full):
    1. Create an internal integration (notion.so/profile/integrations) with Read, Update and
       Insert content and Read user information; copy its secret into .env:
         echo 'NOTION_TOKEN=ntn_...' >> .env
    2. Share a page with it (••• → Connections), then:
         npm run -s setup-notion -- --parent '<that page's URL>' >> .env
    3. Add a form secret and your Slack incoming-webhook URL to .env, then check:
         echo "FORM_SECRET=$(openssl rand -hex 32)" >> .env
         echo 'SLACK_WEBHOOK_URL=https://hooks.slack.com/services/...' >> .env
         (or a Slack app's SLACK_BOT_TOKEN and SLACK_CHANNEL instead: docs/slack-app.md)
         npm run check
    4. npm start, behind Caddy (docs/operate.md); deal alerts come by polling (DEALS_POLL_SECONDS);
       a Notion webhook is optional, for faster alerts (docs/deal-alerts.md).`);
} catch (error) {
  failed = true;
  say(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}`);
  if (server !== undefined) say(`Server output:\n${server.output()}`);
} finally {
  await server?.kill("SIGTERM");
  await slack.stop();
  await emulator.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

async function showLead(url: string, label: string, lead: object, secret = FORM_SECRET): Promise<void> {
  const answer = await postSignedLead(url, lead, secret);
  say(`  ${label}: ${answer.body}\n    → ${answer.status} ${answer.text}`);
}

/** A property's id, read as a client would: GET /v1/data_sources/{id}. */
async function propertyId(notion: { url: string; token: string }, dataSourceId: string, name: string): Promise<string> {
  const response = await fetch(`${notion.url}/v1/data_sources/${dataSourceId}`, {
    headers: { authorization: `Bearer ${notion.token}`, "notion-version": "2025-09-03" },
  });
  const body = (await response.json()) as { properties: Record<string, { id: string }> };
  const id = body.properties[name]?.id;
  if (id === undefined) throw new Error(`the Deals data source has no ${name} property`);
  return id;
}

async function postWebhook(url: string, payload: object, signed = true): Promise<PostAnswer> {
  const answer = await postNotionEvent(url, payload, signed ? WEBHOOK_SECRET : undefined);
  if (answer.status !== 200) throw new Error(`the webhook answered ${answer.status}`);
  return answer;
}

function describeContact(properties: Record<string, unknown>): string {
  const text = (name: string) =>
    (
      (properties[name] as { title?: Array<{ plain_text: string }>; rich_text?: Array<{ plain_text: string }> })
        .title ??
      (properties[name] as { rich_text: Array<{ plain_text: string }> }).rich_text ??
      []
    )
      .map((t) => t.plain_text)
      .join("");
  const select = (name: string) => (properties[name] as { select: { name: string } | null }).select?.name ?? "";
  return `${text(CONTACT.name)} <${(properties[CONTACT.email] as { email: string }).email}>, ${text(CONTACT.company) || "no company"}, Status ${select(CONTACT.status)}, Source ${select(CONTACT.source)}, Notes "${text(CONTACT.notes)}"`;
}

function contactOf(notion: typeof emulator, dataSourceId: string, email: string) {
  const page = notion.admin
    .listPages(dataSourceId)
    .find((candidate) => describeContact(candidate.properties).includes(email));
  if (page === undefined) throw new Error(`no contact ${email}`);
  return page;
}

function fixed(value: number): string {
  return value.toFixed(1);
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
