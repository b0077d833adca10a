import { setMaxListeners } from "node:events";
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { createBlockLimit } from "./block-limit.js";
import { createBotUser, type UserInformation } from "./bot-user.js";
import { createEmulatorAdmin, type EmulatorAdmin } from "./emulator-admin.js";
import type { EmulatorContext } from "./emulator-context.js";
import { createEmulatorFaults, type EmulatorFaults } from "./emulator-faults.js";
import { MAX_RESULTS_PER_QUERY } from "./emulator-limits.js";
import { createEmulatorStats, type EmulatorStats } from "./emulator-stats.js";
import { createEmulatorStore } from "./emulator-store.js";
import { createRequestHandler } from "./create-request-handler.js";
import { createCursorCodec } from "./paginate.js";
import { createRequestRateLimit, RATE_LIMIT_WINDOW_MS, type RequestRateLimit } from "./request-rate-limit.js";

export const DEFAULT_EMULATOR_TOKEN = "secret_emulator";
/** Notion's per-connection budget per 60-second window on Free and Plus (600 on Business and Enterprise). */
export const DEFAULT_REQUESTS_PER_MINUTE = 180;

export type NotionEmulatorOptions = {
  /** The accepted bearer token. @default "secret_emulator" */
  token?: string;
  /** Requests one connection may make in any window; Infinity or 0 disables the limit. @default 180 */
  requestsPerMinute?: number;
  /** The window `requestsPerMinute` counts in: benches scale both down together. @default 60_000 */
  rateLimitWindowMs?: number;
  /** The older way to give the budget, per second: 3 means 180 a minute. `requestsPerMinute` wins. */
  rateLimitPerSecond?: number;
  /** @default 0 (a free port) */
  port?: number;
  /** Results one query (a chain of cursors) may return, like Notion's cap. @default 10_000 */
  maxResultsPerQuery?: number;
  /**
   * Which page of a capped query carries `request_status: incomplete`. Notion
   * may say it on an earlier page than the last. @default "capped-page"
   */
  reportIncompleteOn?: "capped-page" | "first-page";
  /**
   * Notion-Version 2026-12-01's default: a data source query without
   * `filter_properties` returns only each page's title. @default false
   */
  titleOnlyUnlessFilterProperties?: boolean;
  /**
   * Store date-times to the minute. Notion's editor and stored model are
   * believed to keep `HH:MM`; a client must not depend on seconds. @default false
   */
  dateTimesToTheMinute?: boolean;
  /**
   * Notion's clock, for created_time, last_edited_time and the rate limit's
   * window: a test can set it apart from the client's. @default Date.now
   */
  now?: () => number;
  /**
   * A created page shows in data source queries only this long after its
   * creation, as Notion's query index can lag a create by seconds. @default 0
   */
  queryIndexLagMs?: number;
  /**
   * The integration's "Read user information" capability. Without it, people
   * in page properties carry only their id (no name), and the users endpoints
   * answer 403 restricted_resource. @default true
   */
  readUserInformation?: boolean;
  /**
   * The integration's user capability: with `"with_email"` ("Read user
   * information including email addresses") user objects carry
   * `person.email`; without it they do not, as at Notion.
   * @default "without_email"
   */
  userInformation?: UserInformation;
};

export type NotionEmulator = {
  /** "http://127.0.0.1:<port>"; known before the first start() only when a port was given. */
  readonly url: string;
  readonly token: string;
  start(): Promise<void>;
  /** Closes the server and destroys open sockets, hung requests included. */
  stop(): Promise<void>;
  faults: EmulatorFaults;
  stats: EmulatorStats;
  admin: EmulatorAdmin;
};

/** A strict stand-in for the Notion API (Notion-Version 2026-03-11 or 2025-09-03) on loopback. Nothing runs until start(). */
export function createNotionEmulator(options: NotionEmulatorOptions = {}): NotionEmulator {
  const token = options.token ?? DEFAULT_EMULATOR_TOKEN;
  const requestsPerWindow =
    options.requestsPerMinute ??
    (options.rateLimitPerSecond === undefined ? DEFAULT_REQUESTS_PER_MINUTE : options.rateLimitPerSecond * 60);
  const bot = createBotUser();
  const context: EmulatorContext = {
    store: createEmulatorStore({
      ...(options.now !== undefined && { now: options.now }),
      dateTimesToTheMinute: options.dateTimesToTheMinute ?? false,
      readUserInformation: options.readUserInformation ?? true,
    }),
    bot,
    botRef: { object: "user", id: bot.id },
    cursors: createCursorCodec(),
    maxResultsPerQuery: options.maxResultsPerQuery ?? MAX_RESULTS_PER_QUERY,
    reportIncompleteOn: options.reportIncompleteOn ?? "capped-page",
    titleOnlyUnlessFilterProperties: options.titleOnlyUnlessFilterProperties ?? false,
    queryIndexLagMs: options.queryIndexLagMs ?? 0,
    readUserInformation: options.readUserInformation ?? true,
    blockLimit: createBlockLimit(),
    userInformation: options.userInformation ?? "without_email",
  };
  const faults = createEmulatorFaults();
  const stats = createEmulatorStats();
  const buckets = new Map<string, RequestRateLimit>();
  const bucketFor = (key: string) => {
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = createRequestRateLimit({
        requestsPerWindow,
        windowMs: options.rateLimitWindowMs ?? RATE_LIMIT_WINDOW_MS,
        ...(options.now && { now: options.now }),
      });
      buckets.set(key, bucket);
    }
    return bucket;
  };

  let server: Server | undefined;
  let port = options.port ?? 0;
  let running: AbortController | undefined;
  const sockets = new Set<Socket>();

  return {
    get url() {
      if (server === undefined && port === 0) throw new Error("The Notion emulator has no URL before start().");
      return `http://127.0.0.1:${port}`;
    },
    token,
    faults,
    stats,
    admin: createEmulatorAdmin(context),

    async start() {
      if (server !== undefined) return;
      running = new AbortController();
      // Each request held by injected latency listens for the stop: many at once is a load test, not a leak.
      setMaxListeners(0, running.signal);
      const handle = createRequestHandler({ token, context, faults, stats, bucketFor, signal: running.signal });
      const created = createServer((req, res) => void handle(req, res));
      created.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      created.on("clientError", (_error, socket) => socket.destroy());
      await new Promise<void>((resolve, reject) => {
        created.once("error", reject);
        created.listen(port, "127.0.0.1", () => {
          created.off("error", reject);
          resolve();
        });
      });
      const address = created.address();
      if (address !== null && typeof address === "object") port = address.port;
      server = created;
    },

    async stop() {
      const closing = server;
      if (closing === undefined) return;
      server = undefined;
      running?.abort();
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      // The port is kept: url stays readable, and a restart comes back where clients expect it.
      await closed;
    },
  };
}

/** Creates and starts an emulator. */
export async function startNotionEmulator(options: NotionEmulatorOptions = {}): Promise<NotionEmulator> {
  const emulator = createNotionEmulator(options);
  await emulator.start();
  return emulator;
}
