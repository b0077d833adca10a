import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "../../scripts/lib/spawn-server.js";
import { REPO_ROOT } from "../support/run-node.js";

// The bench measures the server's memory with these flags; production must run with the same.
describe("the server's Node flags", () => {
  const expected = `node ${SERVER_NODE_FLAGS.join(" ")} dist/src/main.js`;

  it("are the ones npm start uses", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
    expect(pkg.scripts.start).toBe(expected);
  });

  it("are the ones the systemd unit uses", () => {
    const unit = readFileSync(join(REPO_ROOT, "deploy/notion-crm.service"), "utf8");
    expect(unit).toContain(`ExecStart=/usr/bin/${expected}\n`);
  });
});
