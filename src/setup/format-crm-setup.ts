import { CRM_SCHEMA } from "../crm-schema/crm-schema.js";
import { CRM_DATABASE_ORDER } from "../crm-schema/crm-database-configs.js";
import type { CrmSetup } from "./create-crm-databases.js";

/**
 * What setup-notion prints. Every stdout line is a comment or a KEY=value
 * line, so `npm run -s setup-notion -- --parent … >> .env` is a valid .env;
 * schema problems go to stderr.
 */
export function formatCrmSetup(setup: CrmSetup): { stdout: string; stderr: string } {
  const out: string[] = [];
  for (const database of CRM_DATABASE_ORDER) {
    const entry = setup.databases[database];
    if (entry === undefined) continue;
    const { label } = CRM_SCHEMA[database];
    out.push(`# ${label}: ${entry.created ? "created" : "already under the page, reused"} (${entry.databaseId})`);
    if (entry.duplicates.length > 0)
      out.push(`#   other databases titled "${label}" there were left alone: ${entry.duplicates.join(", ")}`);
  }
  if (setup.problems.length > 0) {
    const anyCreated = Object.values(setup.databases).some((entry) => entry.created);
    const stderr = [
      anyCreated
        ? "The Notion databases do not match the expected schema:"
        : "Databases already under the page do not match the expected schema, so nothing was created:",
      ...setup.problems.map((problem) => `  - ${problem}`),
      "Fix them in Notion (or move them off the page), then run setup-notion again.",
    ];
    return { stdout: lines(out), stderr: lines(stderr) };
  }
  for (const database of CRM_DATABASE_ORDER) {
    const entry = setup.databases[database];
    if (entry !== undefined) out.push(`${CRM_SCHEMA[database].setting}=${entry.databaseId}`);
  }
  out.push(
    "# Next: put these lines in .env (with NOTION_TOKEN and FORM_SECRET), run `npm run check`, then start the server.",
    "# The integration already has access: these databases are inside the page you shared with it.",
    "# Deal-stage alerts work by polling Notion (DEALS_POLL_SECONDS); a webhook to https://<your host>/notion-webhook is optional, for faster alerts (docs/deal-alerts.md).",
  );
  return { stdout: lines(out), stderr: "" };
}

function lines(items: readonly string[]): string {
  return items.length === 0 ? "" : `${items.join("\n")}\n`;
}
