// `npm run setup-notion -- --parent <page id or URL>`: creates the Contacts,
// Deals and Activities databases under a page shared with the integration,
// reusing any already there, and prints the .env lines for them.
import { parseArgs } from "node:util";
import { createCliLogger } from "../src/cli/create-cli-logger.js";
import { runCli } from "../src/cli/run-cli.js";
import { loadConfig } from "../src/config/load-config.js";
import { parseNotionId } from "../src/config/parse-notion-id.js";
import { notionGatewayFromConfig } from "../src/notion/notion-gateway.js";
import { createCrmDatabases } from "../src/setup/create-crm-databases.js";
import { formatCrmSetup } from "../src/setup/format-crm-setup.js";
import { openStore } from "../src/store/open-store.js";

const USAGE = "Usage: npm run setup-notion -- --parent <page id or URL>";
const EXIT_USAGE = 2;

runCli(async () => {
  const parentPageId = parseParent();
  if (parentPageId === undefined) return EXIT_USAGE;
  const config = loadConfig(process.env, { require: ["NOTION_TOKEN"] });
  // The shared state file: setup's requests count against the same rate budget as a running server.
  const db = openStore(config.DATA_DIR);
  try {
    const notion = notionGatewayFromConfig(config, {
      db,
      logger: createCliLogger(config),
    });
    const { stdout, stderr } = formatCrmSetup(await createCrmDatabases(notion, parentPageId));
    process.stdout.write(stdout);
    process.stderr.write(stderr);
    return stderr === "" ? 0 : 1;
  } finally {
    db.close();
  }
});

function parseParent(): string | undefined {
  let parent: string | undefined;
  try {
    parent = parseArgs({ options: { parent: { type: "string" } } }).values.parent;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}. ${USAGE}\n`);
    return undefined;
  }
  if (parent === undefined) {
    process.stderr.write(`--parent is missing: name the Notion page to create the databases under. ${USAGE}\n`);
    return undefined;
  }
  const id = parseNotionId(parent);
  if (id === undefined)
    process.stderr.write(
      `--parent "${parent}" is not a Notion page id (32 hex digits or a dashed UUID) or a page URL. ${USAGE}\n`,
    );
  return id;
}
