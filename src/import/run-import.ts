import { APIErrorCode, type PageObjectResponse } from "@notionhq/client";
import { createContactCache } from "../contacts/contact-cache.js";
import { createCreateClaims, type CreateClaims } from "../contacts/create-claims.js";
import { createContactWriter, type ContactOutcome, type ContactsTarget } from "../contacts/contact-writer.js";
import { workerTargets } from "../notion/worker-targets.js";
import { CONTACT } from "../crm-schema/crm-schema.js";
import type { Logger } from "../log/create-logger.js";
import { assertCrmSchema } from "../notion/check-crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { PropertiesRequest } from "../notion/property-values.js";
import type { Store } from "../store/open-store.js";
import type { SpilledWork } from "./contact-spill.js";
import { createImportJournal, importJournalKey, type ImportJournal } from "./import-journal.js";
import { takeImportLock } from "./import-lock.js";
import { importedContact, importFillProperties, importPatch, IMPORT_SOURCE } from "./import-contact-properties.js";
import type { ImportCounts, ImportProgress } from "./import-progress.js";
import type { DateOrder } from "./parse-import-date.js";
import { readContactFile, type ContactFile, type ImportContact } from "./read-contact-file.js";
import { readContactIndex } from "./read-contact-index.js";
import { writeRejectsFile } from "./write-rejects-file.js";

/** Contacts written at once: enough to keep the bucket busy while answers travel; it paces them anyway. */
export const IMPORT_CONCURRENCY = 4;

export type ImportOptions = {
  file: string;
  dryRun: boolean;
  /** `Source` for rows that name none. @default "import" */
  source?: string;
  dateOrder: DateOrder;
  /** Forget what earlier runs of this file into this database did, and start over. */
  force?: boolean;
  /** `--status-map`: the file's status (lower-cased) → the `Status` option to use. */
  statusMap?: ReadonlyMap<string, string>;
};

export type ImportDeps = {
  notion: NotionGateway;
  db: Store;
  contactsDatabaseId: string;
  logger: Logger;
  progress: ImportProgress;
  /** Called once the file is read, before Notion is: to show the column mapping first. */
  onFileRead?: (file: ContactFile) => void;
  /** Aborted: no new contact is started; those in flight finish. */
  signal?: AbortSignal;
  concurrency?: number;
};

/** Why a run ended before the end of the file. */
export type ImportStop =
  { reason: "creates_refused" } | { reason: "notion_failed"; error: unknown } | { reason: "interrupted" };

export type ImportPlan = { create: number; update: number; unchanged: number; alreadyDone: number };

export type ImportOutcome = {
  file: ContactFile;
  counts: ImportCounts;
  /** What a dry run would do (and what this run set out to do). */
  plan: ImportPlan;
  rejectsPath: string | undefined;
  /** Contacts already in Notion, and the queries it took to read them. */
  notionContacts: number;
  indexQueries: number;
  /** The file's statuses (after --status-map) that `Status` has no option for; only a dry run looks. */
  unknownStatuses?: string[];
  stop?: ImportStop;
};

type Work =
  | { kind: "create"; contact: ImportContact }
  | { kind: "settle-create"; contact: ImportContact }
  | { kind: "update"; contact: ImportContact; page: PageObjectResponse };

/**
 * `npm run import`: the file's contacts into Notion with the fewest calls.
 * Every contact is read once up front (the index); then one create per new
 * contact, one update per existing contact with something to fill, nothing
 * for the rest. The journal makes a rerun of the same file go on where the
 * last one stopped.
 */
export async function runImport(options: ImportOptions, deps: ImportDeps): Promise<ImportOutcome> {
  const { db } = deps;
  const file = await readContactFile(options.file, options.dateOrder);
  try {
    deps.onFileRead?.(file);
    const journalKey = importJournalKey(file.hash, deps.contactsDatabaseId);
    // Two runs of one file into one database never both write: the second stops here with one clear line.
    const lock = options.dryRun ? undefined : takeImportLock(db, journalKey, options.file);
    try {
      return await importFile(options, deps, file, createImportJournal(db, journalKey));
    } finally {
      lock?.release();
    }
  } finally {
    file.close();
  }
}

async function importFile(
  options: ImportOptions,
  deps: ImportDeps,
  file: ContactFile,
  journal: ImportJournal,
): Promise<ImportOutcome> {
  const { notion, db, logger, progress, signal } = deps;
  const log = logger.child({ area: "import" });
  if (options.force && !options.dryRun) journal.clear();
  const { spill } = file;
  const earlierEntry = (line: number) => (options.force ? undefined : journal.entry(line));
  const schema = await assertCrmSchema(notion, { contacts: deps.contactsDatabaseId });
  const contacts = workerTargets(schema).leads.contacts;

  const pending = file.contactCount - (options.force ? 0 : journal.doneCount());
  const index =
    pending === 0
      ? { byEmail: new Map<string, PageObjectResponse>(), queries: 0, readAtMs: 0 }
      : await readContactIndex(notion, {
          dataSourceId: contacts.dataSourceId,
          propertyIds: [...contacts.readPropertyIds],
          logger: log,
        });

  const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0, rejected: file.rejectCount };
  const plan: ImportPlan = { create: 0, update: 0, unchanged: 0, alreadyDone: 0 };
  // Notion's refusals go with the file's rejected rows, so the rejects file is one pass in line order.
  const reject = (contact: ImportContact, error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const reason = isNotionGatewayError(error) ? `refused by Notion: ${message}` : message;
    if (!options.dryRun) journal.finish(contact.line, contact.email, "rejected", undefined, reason);
    spill.addReject({ line: contact.line, reason, values: spill.valuesAt(contact.line) });
    counts.rejected++;
  };
  const planWork = (contact: ImportContact, kind: SpilledWork) => {
    spill.markWork(contact.line, kind);
    if (kind === "update") plan.update++;
    else plan.create++;
  };

  // The file's statuses (after --status-map) in its order, for the dry run's list of unknown ones.
  const statuses = new Set<string>();
  for (const read of spill.contacts()) {
    const earlier = earlierEntry(read.line);
    if (earlier?.state === "done") {
      plan.alreadyDone++;
      if (earlier.outcome === "created") counts.created++;
      if (earlier.outcome === "updated") counts.updated++;
      if (earlier.outcome === "rejected") {
        counts.rejected++;
        spill.addReject({
          line: earlier.line,
          reason: earlier.reason ?? "refused by Notion",
          values: spill.valuesAt(earlier.line),
        });
      }
      continue;
    }
    const contact = withMappedStatus(read, options.statusMap);
    if (contact.status !== undefined) statuses.add(contact.status);
    const inFlight = earlier?.state;
    const page = index.byEmail.get(contact.email);
    if (inFlight === "creating") {
      // The create may have happened: settled by looking the email up, never by creating blindly.
      if (page !== undefined) {
        if (!options.dryRun) journal.finish(contact.line, contact.email, "created", page.id);
        counts.created++;
      } else {
        planWork(contact, "settle-create");
      }
      continue;
    }
    if (page === undefined) {
      planWork(contact, "create");
      continue;
    }
    let properties: PropertiesRequest;
    try {
      properties = importFillProperties(page, contact);
    } catch (error) {
      // Text too long for even a split property (over 200,000 characters): this row cannot go in.
      reject(contact, error);
      continue;
    }
    if (Object.keys(properties).length > 0) {
      planWork(contact, "update");
    } else if (inFlight === "updating") {
      // Sent before the last run died, and Notion had applied it.
      if (!options.dryRun) journal.finish(contact.line, contact.email, "updated", page.id);
      counts.updated++;
    } else {
      plan.unchanged++;
      counts.unchanged++;
    }
  }

  const outcome: ImportOutcome = {
    file,
    counts,
    plan,
    rejectsPath: undefined,
    notionContacts: index.byEmail.size,
    indexQueries: index.queries,
  };
  if (options.dryRun) {
    outcome.unknownStatuses = await unknownStatuses(notion, contacts.dataSourceId, [...statuses]);
    return outcome;
  }

  const worker = createRowWriter({
    notion,
    contacts,
    journal,
    cache: createContactCache(db),
    claims: createCreateClaims(db),
    defaultSource: options.source ?? IMPORT_SOURCE,
    indexReadAtMs: index.readAtMs,
  });
  progress.start(plan.create + plan.update);
  // Read from the spill a batch at a time; the runners share one cursor.
  const work = spill.work();
  const nextWork = (): Work | undefined => {
    const next = work.next();
    if (next.done) return undefined;
    const contact = withMappedStatus(next.value.contact, options.statusMap);
    if (next.value.kind !== "update") return { kind: next.value.kind, contact };
    return { kind: "update", contact, page: index.byEmail.get(contact.email)! };
  };
  const runOne = async (): Promise<void> => {
    while (outcome.stop === undefined) {
      if (signal?.aborted) {
        outcome.stop = { reason: "interrupted" };
        return;
      }
      const item = nextWork();
      if (item === undefined) return;
      try {
        const result = await worker.write(item);
        counts[result]++;
      } catch (error) {
        // Ctrl-C: the row's journal entry says what was sent, and the next run settles it; nothing is rejected for the stop.
        if (signal?.aborted) {
          outcome.stop ??= { reason: "interrupted" };
          return;
        }
        const stop = stopFor(error);
        if (stop !== undefined) {
          outcome.stop ??= stop;
          return;
        }
        // Notion refused this one contact (a validation error): reported, and the rest go on.
        reject(item.contact, error);
        log.warn({ line: item.contact.line, err: error }, "a contact was refused; it is in the rejects file");
      }
      progress.tick(counts);
    }
  };
  try {
    await Promise.all(Array.from({ length: deps.concurrency ?? IMPORT_CONCURRENCY }, runOne));
  } finally {
    progress.stop();
  }
  outcome.rejectsPath = writeRejectsFile(options.file, file, spill.rejects());
  return outcome;
}

/** `--status-map 'New=new lead,Open=new lead'`: the file's status, case-insensitively, as a `Status` option. */
function withMappedStatus(contact: ImportContact, statusMap: ReadonlyMap<string, string> | undefined): ImportContact {
  const mapped = contact.status === undefined ? undefined : statusMap?.get(contact.status.trim().toLowerCase());
  return mapped === undefined ? contact : { ...contact, status: mapped };
}

/** The file's statuses that `Status` has no option for (they would become new options), in the file's order. */
async function unknownStatuses(
  notion: NotionGateway,
  dataSourceId: string,
  wanted: readonly string[],
): Promise<string[]> {
  if (wanted.length === 0) return [];
  const dataSource = await notion.read("dataSources.retrieve contacts Status", (client) =>
    client.dataSources.retrieve({ data_source_id: dataSourceId }),
  );
  const status = "properties" in dataSource ? dataSource.properties[CONTACT.status] : undefined;
  const options =
    status?.type === "select" ? status.select.options : status?.type === "status" ? status.status.options : [];
  const known = new Set(options.map((option) => option.name.toLowerCase()));
  return wanted.filter((name) => !known.has(name.toLowerCase()));
}

function stopFor(error: unknown): ImportStop | undefined {
  if (!isNotionGatewayError(error)) return undefined;
  if (error.details.notionCode === APIErrorCode.RestrictedResource) return { reason: "creates_refused" };
  // Unreachable, ambiguous past settling, or a refusal no row can fix (token, sharing): stop, resume next run.
  if (
    error.retryable ||
    new Set<string>([APIErrorCode.Unauthorized, APIErrorCode.ObjectNotFound]).has(error.details.notionCode ?? "")
  ) {
    return { reason: "notion_failed", error };
  }
  return undefined;
}

type RowWriterDeps = {
  notion: NotionGateway;
  contacts: ContactsTarget;
  journal: ImportJournal;
  cache: ReturnType<typeof createContactCache>;
  claims: CreateClaims;
  defaultSource: string;
  /** When the index was read: what it says of an email holds unless the shared cache saw a write since. */
  indexReadAtMs: number;
};

/**
 * One row into Notion through the contact writer, journaled before it is
 * sent and once it is answered. The writer checks the contact cache the
 * server shares: a contact a live lead created after the index was read is
 * updated, never made twice.
 */
function createRowWriter({ notion, contacts, journal, cache, claims, defaultSource, indexReadAtMs }: RowWriterDeps) {
  const writer = createContactWriter({ notion, cache, claims, contacts });
  return {
    async write(item: Work): Promise<ContactOutcome> {
      const { contact } = item;
      let sent: "create" | "update" | undefined;
      const known =
        item.kind === "settle-create"
          ? undefined
          : { page: item.kind === "update" ? item.page : undefined, readAtMs: indexReadAtMs };
      try {
        const result = await writer.upsert(
          importedContact(contact, contacts.statusType, defaultSource),
          importPatch(contact),
          {
            known,
            onSend(kind) {
              sent = kind;
              journal.begin(contact.line, contact.email, kind === "create" ? "creating" : "updating");
            },
          },
        );
        // A create the last run sent and Notion had made: found now, it counts as created.
        const outcome = item.kind === "settle-create" ? "created" : result.outcome;
        if (outcome === "unchanged") journal.forget(contact.line);
        else journal.finish(contact.line, contact.email, outcome, result.pageId);
        return outcome;
      } catch (error) {
        // Refused outright: nothing was created, so the next run starts this contact afresh.
        if (sent === "create" && isNotionGatewayError(error) && error.code === "notion_rejected") {
          journal.forget(contact.line);
        }
        throw error;
      }
    },
  };
}
