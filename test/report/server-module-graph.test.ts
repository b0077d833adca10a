import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Every module the file imports statically or dynamically, followed through relative imports. */
function moduleGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g)) {
      const specifier = match[1]!;
      if (specifier.startsWith(".")) pending.push(join(dirname(file), specifier).replace(/\.js$/, ".ts"));
      else
        packages.add(specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!);
    }
  }
  return { files, packages };
}

describe("the server's module graph", () => {
  it("holds none of the chart's libraries or code, so they cost the server no memory", () => {
    const server = moduleGraph(join(ROOT, "src/main.ts"));
    expect(server.files.size).toBeGreaterThan(50);
    expect(server.packages).toContain("express");
    for (const chartPackage of ["vega", "vega-lite", "@resvg/resvg-js", "dejavu-fonts-ttf"])
      expect(server.packages).not.toContain(chartPackage);
    expect([...server.files].filter((file) => file.includes("/report/"))).toEqual([]);
  });

  it("is the report command that reaches the chart", () => {
    const report = moduleGraph(join(ROOT, "scripts/report.ts"));
    expect(report.packages).toContain("vega");
    expect(report.packages).toContain("@resvg/resvg-js");
  });
});
