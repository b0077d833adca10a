// The package's public surface: everything a caller (tests, scripts, the demo) may use.
export {
  createNotionEmulator,
  startNotionEmulator,
  DEFAULT_EMULATOR_TOKEN,
  DEFAULT_REQUESTS_PER_MINUTE,
  type NotionEmulator,
  type NotionEmulatorOptions,
} from "./create-notion-emulator.js";
export type { DatabaseIds, EmulatorAdmin, SeedDatabase, SeededDatabases, Timestamp } from "./emulator-admin.js";
export { SAVED_WRITE_GUIDANCE } from "./emulator-faults.js";
export type { EmulatorFaults, FaultSpec, OutageStatus, RateLimitReason } from "./emulator-faults.js";
export type { EmulatorStats, RecordedRequest } from "./emulator-stats.js";
export { NOTION_VERSION, NOTION_VERSIONS } from "./emulator-limits.js";
export type { PagePropertiesRequest, PropertyConfigRequest } from "./notion-types.js";
