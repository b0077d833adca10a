import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { REPO_ROOT, runTsFile } from "../support/run-node.js";

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

it("bench --help names every benchmark, and the reference describes the same ones", async () => {
  const help = (await runTsFile("scripts/bench.ts", { args: ["--help"] })).stdout;
  const listed = /named:\n {2}(.+)\n/.exec(help)?.[1]?.split(", ") ?? [];
  const reference = readFileSync(join(REPO_ROOT, "docs/reference.md"), "utf8");
  const section = reference.slice(reference.indexOf("### Benchmarks"), reference.indexOf("### Layout"));
  const described = [...section.matchAll(/^- \*\*([a-z-]+)\*\*:/gm)].map((match) => match[1]);
  expect(listed.length).toBeGreaterThan(0);
  expect(described.sort()).toEqual([...listed].sort());
});
