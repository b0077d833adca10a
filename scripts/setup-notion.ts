// `npm run setup-notion -- --parent <page id or URL>`: creates the Contacts,
// Deals and Activities databases under a page shared with the integration,
// reusing any already there, and prints the .env lines for them.
import { parseArgs } from "node:util";
import { createCliLogger } from "../src/cli/create-cli-logger.js";
import { runCli } from "../src/cli/run-cli.js";
import { wantsHelp } from "../src/cli/wants-help.js";
import { loadConfig } from "../src/config/load-config.js";
import { parseNotionId } from "../src/config/parse-notion-id.js";
import { describeFailure } from "../src/notion/describe-failure.js";
import { notionGatewayFromConfig } from "../src/notion/notion-gateway.js";
import { createCrmDatabases } from "../src/setup/create-crm-databases.js";
import { formatCrmSetup } from "../src/setup/format-crm-setup.js";
import { openStore } from "../src/store/open-store.js";

const USAGE = "Usage: npm run setup-notion -- --parent <page id or URL>";
const EXIT_USAGE = 2;
const HELP = `${USAGE}

Creates the Contacts, Deals and Activities databases under a Notion page that
is shared with your integration, reusing any already there, and prints their
.env lines (npm run -s setup-notion -- --parent <page> >> .env).
Needs NOTION_TOKEN (from the environment or .env); NOTION_BASE_URL and DATA_DIR apply.`;

runCli(async () => {
  if (wantsHelp()) return void process.stdout.write(`${HELP}\n`);
  // Every missing thing at once: the page argument and the token.
  const parentPageId = parseParent();
  let config: ReturnType<typeof loadConfig<"NOTION_TOKEN">>;
  try {
    config = loadConfig(process.env, { require: ["NOTION_TOKEN"] });
  } catch (error) {
    if (parentPageId === undefined) process.stderr.write(`${describeFailure(error)}\n`);
    else throw error;
    return EXIT_USAGE;
  }
  if (parentPageId === undefined) return EXIT_USAGE;
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
