import { createNotionGateway, type NotionGateway } from "../../src/notion/notion-gateway.js";
import type { NotionEmulatorOptions } from "@notion-crm/notion-emulator";
import type { DigestDeps } from "../../src/digest/run-digest.js";
import { createSlackOutbox, type SlackOutbox } from "../../src/slack/slack-outbox.js";
import { createSlackSender, type SlackSender } from "../../src/slack/slack-sender.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger, type CapturedLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { startSlackReceiver } from "../support/slack-receiver.js";
import { makeTempDir } from "../support/temp-dir.js";

export const MS_PER_DAY = 86_400_000;
export const STALE_AFTER_DAYS = 30;

/** An ISO instant `days` days before `from`. */
export const daysAgo = (days: number, from = Date.now()) => new Date(from - days * MS_PER_DAY).toISOString();

export type ContactSpec = {
  name: string;
  email?: string;
  /** @default "new lead" */
  status?: string;
  /** A Notion date ("2025-01-31" or an ISO date-time); unset: never contacted. */
  lastContacted?: string;
  createdTime?: string | number;
};

export type DigestHarness = {
  crm: CrmEmulator;
  db: Store;
  dataDir: string;
  log: CapturedLogger;
  slack: Awaited<ReturnType<typeof startSlackReceiver>>;
  notion: NotionGateway;
  outbox: SlackOutbox;
  sender: SlackSender;
  /** For the command in a child process: the same emulator, DATA_DIR and Slack. */
  env: Record<string, string>;
  deps(overrides?: Partial<DigestDeps>): DigestDeps;
  /** Inserts a Contacts row directly (no HTTP, no rate limit); returns its page. */
  addContact(spec: ContactSpec): ReturnType<CrmEmulator["emulator"]["admin"]["insertPage"]>;
  /** Makes Status a `status` property, as some workspaces have it. */
  useStatusProperty(): void;
  queries(): number;
  stop(): Promise<void>;
};

/** The CRM emulator, a DATA_DIR, a loopback Slack, and the real gateway, outbox and sender with test timings. */
export async function startDigestHarness(emulator: NotionEmulatorOptions = {}): Promise<DigestHarness> {
  const crm = await startCrmEmulator(emulator);
  const dir = makeTempDir("crm-digest-");
  const db = openStore(dir.path);
  const log = captureLogger();
  const slack = await startSlackReceiver();
  const notion = createNotionGateway({
    token: crm.emulator.token,
    baseUrl: crm.emulator.url,
    requestsPerMinute: 60_000,
    db,
    logger: log.logger,
    backoffBaseMs: 10,
    attemptTimeoutMs: 2_000,
  });
  const outbox = createSlackOutbox(db);
  const sender = createSlackSender({ outbox, db, webhookUrl: slack.url, logger: log.logger, retryBaseMs: 20 });
  let statusType: "select" | "status" = "select";
  return {
    crm,
    db,
    dataDir: dir.path,
    log,
    slack,
    notion,
    outbox,
    sender,
    env: {
      NOTION_TOKEN: crm.emulator.token,
      NOTION_BASE_URL: crm.emulator.url,
      NOTION_CONTACTS_DB_ID: crm.databases.contacts,
      NOTION_RATE_LIMIT_RPS: "100",
      DATA_DIR: dir.path,
      SLACK_WEBHOOK_URL: slack.url,
      STALE_LEAD_DAYS: String(STALE_AFTER_DAYS),
      DIGEST_TZ: "UTC",
    },
    deps: (overrides = {}) => ({
      notion,
      contactsDatabaseId: crm.databases.contacts,
      outbox,
      sender,
      logger: log.logger,
      staleAfterDays: STALE_AFTER_DAYS,
      timeZone: "UTC",
      ...overrides,
    }),
    addContact({
      name,
      email = `${name.toLowerCase().replace(/\W+/g, ".")}@example.com`,
      status = "new lead",
      lastContacted,
      createdTime,
    }) {
      return crm.emulator.admin.insertPage(
        crm.dataSources.contacts,
        {
          Name: { title: [{ text: { content: name } }] },
          Email: { email },
          Status: statusType === "status" ? { status: { name: status } } : { select: { name: status } },
          ...(lastContacted !== undefined && { "Last Contacted": { date: { start: lastContacted } } }),
        },
        createdTime === undefined ? {} : { createdTime },
      );
    },
    useStatusProperty() {
      crm.emulator.admin.updateProperty(crm.dataSources.contacts, "Status", {
        status: { options: ["new lead", "contacted", "customer"].map((name) => ({ name })) },
      } as never);
      statusType = "status";
    },
    queries: () => crm.emulator.stats.count({ method: "POST", path: /\/query$/ }),
    async stop() {
      await sender.stop();
      await slack.stop();
      await crm.stop();
      db.close();
      dir.remove();
    },
  };
}
