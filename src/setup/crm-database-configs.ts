// The configs moved to src/crm-schema/; only the Notion emulator still imports this path.
export * from "../crm-schema/crm-database-configs.js";
