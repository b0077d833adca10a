// `npm run emulator`: a Notion API emulator on loopback with the CRM databases
// seeded, for running the server or the scripts against without a Notion account.
import { parseArgs } from "node:util";
import { NOTION_VERSIONS, startNotionEmulator } from "@notion-crm/notion-emulator";
import { seedCrm } from "./lib/crm-seed.js";

const DEFAULT_PORT = 4010;

const HELP = `Usage: npm run emulator [-- --port ${DEFAULT_PORT} --rps 3]

Starts the Notion emulator on 127.0.0.1 with the CRM's three databases in it
and prints the .env lines that point the server and the commands at it.
--rps limits requests per second like Notion (default 3; 0: no limit). Ctrl-C stops it.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: String(DEFAULT_PORT) },
      rps: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return void console.log(HELP);
  const port = Number(values.port);
  const rps = values.rps === undefined ? undefined : Number(values.rps);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port must be a port number, got ${values.port}`);
  if (rps !== undefined && !(rps >= 0))
    throw new Error(`--rps must be a number of requests per second, got ${values.rps}`);

  const emulator = await startNotionEmulator({ port, ...(rps === undefined ? {} : { rateLimitPerSecond: rps }) });
  const seed = seedCrm(emulator.admin);
  console.log(
    `Notion emulator listening on ${emulator.url} (Notion-Version ${NOTION_VERSIONS.join(" or ")}). Ctrl-C stops it.`,
  );
  console.log("# .env lines for it:");
  console.log(`NOTION_BASE_URL=${emulator.url}`);
  console.log(`NOTION_TOKEN=${emulator.token}`);
  console.log(`NOTION_CONTACTS_DB_ID=${seed.contacts.databaseId}`);
  console.log(`NOTION_DEALS_DB_ID=${seed.deals.databaseId}`);
  console.log(`NOTION_ACTIVITIES_DB_ID=${seed.activities.databaseId}`);
  console.log(`# parent page for setup-notion: ${seed.parentPageId}`);

  const shutdown = () => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
