import type { PageObjectResponse } from "@notionhq/client";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load-config.js";
import {
  IMPORT_REQUIRED_SETTINGS,
  importCommand,
  parseImportArgs,
  type ImportConfig,
} from "../../src/import/import-command.js";
import type { ImportProgress } from "../../src/import/import-progress.js";
import type { NotionEmulatorOptions } from "@notion-crm/notion-emulator";
import { captureLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { emailOf, selectOf, textOf } from "../support/notion-page.js";
import { makeTempDir } from "../support/temp-dir.js";

export type ImportKit = {
  crm: CrmEmulator;
  dir: string;
  env: Record<string, string>;
  /** Writes a file in the temp dir and returns its path. */
  file(name: string, content: string): string;
  /** A contact already in Notion, as a person would have made it. */
  seedContact(contact: SeedContact): PageObjectResponse;
  /** Runs the import in this process, as scripts/import.ts does. */
  run(
    argv: string[],
    overrides?: { fetch?: typeof fetch },
    /** Settings over the kit's own (another Contacts database, say). */
    env?: Record<string, string>,
  ): Promise<{ code: number; stdout: string[]; stderr: string[] }>;
  /** Every contact in Notion, by email, in a plain form. */
  contacts(): Record<string, PlainContact>;
  stop(): Promise<void>;
};

export type SeedContact = {
  email: string;
  name?: string;
  company?: string;
  status?: string;
  source?: string;
  lastContacted?: string;
  notes?: string;
};
export type PlainContact = {
  name: string;
  company: string;
  status: string | undefined;
  source: string | undefined;
  lastContacted: string | undefined;
  notes: string;
};

const quietProgress: ImportProgress = { start() {}, tick() {}, stop() {} };

export async function startImportKit({
  emulator = {},
  env = {},
}: { emulator?: NotionEmulatorOptions; env?: Record<string, string> } = {}): Promise<ImportKit> {
  const crm = await startCrmEmulator(emulator);
  const temp = makeTempDir("crm-import-");
  const fullEnv = {
    NOTION_TOKEN: crm.emulator.token,
    NOTION_BASE_URL: crm.emulator.url,
    NOTION_CONTACTS_DB_ID: crm.databases.contacts,
    NOTION_RATE_LIMIT_RPS: "100",
    DATA_DIR: join(temp.path, "data"),
    ...env,
  };
  const contactPage = (page: PageObjectResponse): PlainContact => ({
    name: textOf(page, "Name"),
    company: textOf(page, "Company"),
    status: selectOf(page, "Status"),
    source: selectOf(page, "Source"),
    lastContacted: (page.properties["Last Contacted"] as { date: { start: string } | null }).date?.start,
    notes: textOf(page, "Notes"),
  });
  return {
    crm,
    dir: temp.path,
    env: fullEnv,
    file(name, content) {
      const path = join(temp.path, name);
      writeFileSync(path, content);
      return path;
    },
    seedContact(contact) {
      return crm.emulator.admin.insertPage(crm.dataSources.contacts, {
        Name: { title: contact.name === undefined ? [] : [{ text: { content: contact.name } }] },
        Email: { email: contact.email },
        ...(contact.company !== undefined && { Company: { rich_text: [{ text: { content: contact.company } }] } }),
        ...(contact.status !== undefined && { Status: { select: { name: contact.status } } }),
        ...(contact.source !== undefined && { Source: { select: { name: contact.source } } }),
        ...(contact.lastContacted !== undefined && { "Last Contacted": { date: { start: contact.lastContacted } } }),
        ...(contact.notes !== undefined && { Notes: { rich_text: [{ text: { content: contact.notes } }] } }),
      });
    },
    async run(argv, overrides = {}, env = {}) {
      const args = parseImportArgs(argv);
      if (args.help) throw new Error("not for --help");
      const config: ImportConfig = loadConfig(
        { ...fullEnv, ...env },
        { require: IMPORT_REQUIRED_SETTINGS, envFile: false },
      );
      const stdout: string[] = [];
      const stderr: string[] = [];
      const code = await importCommand(args, config, captureLogger().logger, {
        print: (line) => stdout.push(line),
        report: (line) => stderr.push(line),
        progress: quietProgress,
        signal: new AbortController().signal,
        overrides: { backoffBaseMs: 10, attemptTimeoutMs: 2_000, ...overrides },
      });
      return { code, stdout, stderr };
    },
    contacts() {
      const pages = crm.emulator.admin.listPages(crm.dataSources.contacts);
      const byEmail: Record<string, PlainContact> = {};
      for (const page of pages) {
        const email = emailOf(page)!;
        if (email in byEmail) throw new Error(`two contacts for ${email}`);
        byEmail[email] = contactPage(page);
      }
      return byEmail;
    },
    async stop() {
      await crm.stop();
      temp.remove();
    },
  };
}

/** A HubSpot contacts export as it comes: BOM, CRLF, quoted commas, quotes and newlines. */
export const HUBSPOT_CSV =
  "\uFEFF" +
  [
    "First Name,Last Name,Email,Company Name,Lead Status,Last Activity Date,Original Source,Notes",
    'Ann,Lee,ann@example.com,"Acme, Inc.",qualified,2026-03-04 14:08,Organic Search,"Met at the ""expo""',
    'second line"',
    "Bob,Stone,BOB@Example.com ,Stone Ltd,,03/05/2026,,",
    "Bob,,bob@example.com,Other Co,,2026-04-01,Referral,call back",
    "Cat,Ng,not-an-email,Cat Co,,,,",
    "Dan,Roe,,Dan Co,,,,",
    "Eve,Existing,eve@example.com,Eve Corp,NEW,2026-01-02,Paid Social,from the file",
    "Fay,Full,fay@example.com,Fay Co,,,,",
    "Gus,Date,gus@example.com,,,yesterday,,",
  ].join("\r\n") +
  "\r\n";

/** The two contacts HUBSPOT_CSV finds already in Notion. */
export function seedHubspotExisting(kit: ImportKit): void {
  kit.seedContact({
    email: "eve@example.com",
    name: "Eve E.",
    status: "qualified",
    lastContacted: "2026-02-01",
  });
  kit.seedContact({
    email: "FAY@example.com",
    name: "Fay Full",
    company: "Fay Co",
    status: "customer",
    source: "website",
    lastContacted: "2026-05-01",
    notes: "VIP",
  });
}

/** What Notion holds after importing HUBSPOT_CSV over seedHubspotExisting, however many runs it took. */
export const HUBSPOT_FINAL: Record<string, PlainContact> = {
  "ann@example.com": {
    name: "Ann Lee",
    company: "Acme, Inc.",
    status: "qualified",
    source: "Organic Search",
    lastContacted: "2026-03-04T14:08:00.000+00:00",
    notes: 'Met at the "expo"\nsecond line',
  },
  "bob@example.com": {
    name: "Bob Stone",
    company: "Stone Ltd",
    status: "new lead",
    source: "Referral",
    lastContacted: "2026-04-01",
    notes: "call back",
  },
  "eve@example.com": {
    name: "Eve E.",
    company: "Eve Corp",
    status: "qualified",
    source: "Paid Social",
    lastContacted: "2026-02-01",
    notes: "from the file",
  },
  "FAY@example.com": {
    name: "Fay Full",
    company: "Fay Co",
    status: "customer",
    source: "website",
    lastContacted: "2026-05-01",
    notes: "VIP",
  },
  "gus@example.com": {
    name: "Gus Date",
    company: "",
    status: "new lead",
    source: "import",
    lastContacted: undefined,
    notes: "",
  },
};
export const HUBSPOT_SUMMARY = "import: created 3, updated 1, unchanged 1, rejected 2";
