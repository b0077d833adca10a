import { checkCrmSchema, type CrmDatabaseIds } from "../notion/check-crm-schema.js";
import { CRM_SCHEMA, type CrmDatabase } from "../crm-schema/crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { CheckResult } from "./check-result.js";

const NAME = "Notion schema";
const ORDER: readonly CrmDatabase[] = ["contacts", "deals", "activities"];
const UNSET: Record<CrmDatabase, string> = {
  contacts: "not set, so not checked",
  deals: "not set, so not checked",
  activities: "not set (optional): leads write no activity rows",
};

/** One line per database: the server's own schema check, every problem named. */
export async function checkNotionSchema(notion: NotionGateway, ids: CrmDatabaseIds): Promise<CheckResult[]> {
  if (Object.keys(ids).length === 0)
    return [{ name: NAME, outcome: "skip", detail: "no database is set, so none was checked" }];
  let problems: string[];
  try {
    problems = (await checkCrmSchema(notion, ids)).problems;
  } catch (error) {
    if (!isNotionGatewayError(error)) throw error;
    return [{ name: NAME, outcome: "fail", detail: `could not be checked: ${error.message}` }];
  }
  return ORDER.flatMap((database): CheckResult[] => {
    const { label, setting } = CRM_SCHEMA[database];
    if (ids[database] === undefined)
      return [{ name: NAME, outcome: "skip", detail: `${label} (${setting}): ${UNSET[database]}` }];
    // checkCrmSchema names the database at the start of each problem.
    const own = problems.filter((problem) => problem.startsWith(`${label} (`));
    if (own.length === 0) return [{ name: NAME, outcome: "pass", detail: `${label} (${setting}) matches` }];
    return own.map((problem) => ({ name: NAME, outcome: "fail", detail: problem }));
  });
}
