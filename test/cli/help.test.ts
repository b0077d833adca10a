import { expect, it } from "vitest";
import { runTsFile } from "../support/run-node.js";

// Every command answers --help on stdout and exits 0, needing no setting and touching nothing.
it.each([
  ["scripts/jobs.ts", "npm run jobs -- find <email>"],
  ["scripts/setup-notion.ts", "npm run setup-notion -- --parent <page id or URL>"],
  ["scripts/check.ts", "Usage: npm run check"],
  ["scripts/stale-leads.ts", "npm run stale-leads -- --once"],
  ["scripts/report.ts", "npm run report -- --once"],
  ["scripts/demo.ts", "Usage: npm run demo"],
  ["scripts/emulator.ts", "Usage: npm run emulator"],
  ["scripts/bench.ts", "Usage: npm run bench"],
  ["src/main.ts", "Usage: npm start"],
])("%s --help prints its usage", async (file, usage) => {
  for (const flag of ["--help", "-h"]) {
    const result = await runTsFile(file, { args: [flag], env: { DATA_DIR: "/nonexistent/crm-help-test" } });
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain(usage);
  }
});
