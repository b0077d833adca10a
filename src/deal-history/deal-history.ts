import type { PageObjectResponse } from "@notionhq/client";
import { DEAL } from "../crm-schema/crm-schema.js";
import { peopleOf, type NotionPerson } from "../notion/people-of.js";
import { choiceName, numberOf } from "../notion/property-values.js";
import type { Store } from "../store/open-store.js";

/** One settled change of a deal's Stage; `from` is null for a new deal, `to` null for a Stage cleared. */
export type StageChange = { pageId: string; from: string | null; to: string | null; at: string };

/** A deal as the server last saw it. */
export type DealFacts = {
  pageId: string;
  stage: string | null;
  value: number | null;
  owners: NotionPerson[];
  createdTime: string;
  lastEditedTime: string;
};

type Statements = ReturnType<typeof prepare>;
// Prepared once per state file: the poll settles every deal through here.
const prepared = new WeakMap<Store, Statements>();

function prepare(db: Store) {
  return {
    change: db.prepare<[string, string | null, string | null, string]>(
      "INSERT INTO deal_stage_changes (page_id, from_stage, to_stage, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    facts: db.prepare<[string, string | null, number | null, string, string, string]>(
      `INSERT INTO deal_facts (page_id, stage, value, owners_json, created_time, last_edited_time) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (page_id) DO UPDATE SET stage = excluded.stage, value = excluded.value, owners_json = excluded.owners_json,
         created_time = excluded.created_time, last_edited_time = excluded.last_edited_time`,
    ),
    changes: db.prepare<[], { page_id: string; from_stage: string | null; to_stage: string | null; at: string }>(
      "SELECT page_id, from_stage, to_stage, at FROM deal_stage_changes ORDER BY page_id, at, id",
    ),
    allFacts: db.prepare<
      [],
      {
        page_id: string;
        stage: string | null;
        value: number | null;
        owners_json: string;
        created_time: string;
        last_edited_time: string;
      }
    >("SELECT * FROM deal_facts"),
  };
}

function statements(db: Store): Statements {
  let found = prepared.get(db);
  if (found === undefined) prepared.set(db, (found = prepare(db)));
  return found;
}

/**
 * Keeps what a settled deal page says for the pipeline report: its facts
 * always, and the stage change when the settling found one (`changedFrom`:
 * the stage it left, undefined for a new deal). The change is dated by the
 * page's own last_edited_time, never the local clock; a change already
 * stored (same deal, time and stage) is kept once.
 */
export function recordDealSighting(
  db: Store,
  page: PageObjectResponse,
  change: { changedFrom: string | undefined } | undefined,
): void {
  const sql = statements(db);
  const stage = choiceName(page.properties[DEAL.stage]) ?? null;
  if (change !== undefined) sql.change.run(page.id, change.changedFrom ?? null, stage, page.last_edited_time);
  sql.facts.run(
    page.id,
    stage,
    numberOf(page.properties[DEAL.value]) ?? null,
    JSON.stringify(peopleOf(page.properties[DEAL.owner])),
    page.created_time,
    page.last_edited_time,
  );
}

/** Every stored stage change by deal, oldest first. */
export function readStageHistory(db: Store): Map<string, StageChange[]> {
  const byDeal = new Map<string, StageChange[]>();
  for (const row of statements(db).changes.iterate()) {
    const list = byDeal.get(row.page_id) ?? [];
    list.push({ pageId: row.page_id, from: row.from_stage, to: row.to_stage, at: row.at });
    byDeal.set(row.page_id, list);
  }
  return byDeal;
}

/** Every deal's last-seen facts. */
export function readDealFacts(db: Store): DealFacts[] {
  return statements(db)
    .allFacts.all()
    .map((row) => ({
      pageId: row.page_id,
      stage: row.stage,
      value: row.value,
      owners: JSON.parse(row.owners_json) as NotionPerson[],
      createdTime: row.created_time,
      lastEditedTime: row.last_edited_time,
    }));
}
