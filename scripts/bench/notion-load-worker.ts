// A separate OS process that sends LOAD_COUNT requests at once through its
// own gateway, sharing DATA_DIR (and so the rate bucket) with its siblings.
import { loadConfig } from "../../src/config/load-config.js";
import { createLogger } from "../../src/log/create-logger.js";
import { notionGatewayFromConfig } from "../../src/notion/notion-gateway.js";
import { openStore } from "../../src/store/open-store.js";

const config = loadConfig(process.env, { require: ["NOTION_TOKEN", "NOTION_CONTACTS_DB_ID"], envFile: false });
const count = Number(process.env.LOAD_COUNT ?? "10");
const db = openStore(config.DATA_DIR);
const notion = notionGatewayFromConfig(config, {
  db,
  logger: createLogger({ level: "warn" }),
});
const dataSourceId = await notion.dataSourceId(config.NOTION_CONTACTS_DB_ID);
await Promise.all(
  Array.from({ length: count - 1 }, () =>
    notion.read("query", (client) => client.dataSources.query({ data_source_id: dataSourceId, page_size: 1 })),
  ),
);
db.close();
process.stdout.write(`done ${count}\n`);
