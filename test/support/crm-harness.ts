import request from "supertest";
import { SERVER_REQUIRED_SETTINGS } from "../../src/config/settings.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { NotionEmulatorOptions } from "@notion-crm/notion-emulator";
import { startCrmServer, type CrmServer, type CrmServerOverrides } from "../../src/server/start-crm-server.js";
import { captureLogger, type CapturedLogger } from "./capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "./crm-emulator.js";
import { formSignatureHex } from "./sign.js";
import { makeTempDir } from "./temp-dir.js";

export const FORM_SECRET = "form-secret-for-tests";
export const NOTION_WEBHOOK_SECRET = "secret_webhook_verification_token_for_tests";

export type CrmHarness = {
  crm: CrmEmulator;
  server: CrmServer;
  dataDir: string;
  log: CapturedLogger;
  env: Record<string, string>;
  /** POSTs a JSON body to /lead signed with X-Form-Signature. */
  postLead(body: unknown, headers?: Record<string, string>): Promise<request.Response>;
  contacts(): ReturnType<CrmEmulator["emulator"]["admin"]["listPages"]>;
  activities(): ReturnType<CrmEmulator["emulator"]["admin"]["listPages"]>;
  /** Restarts the server on the same DATA_DIR (as a crash-free restart would); `whileStopped` runs in between. */
  restart(whileStopped?: () => void | Promise<void>): Promise<void>;
  stop(): Promise<void>;
};

/** The emulator seeded with the CRM, and the real server in-process, with test-friendly timings. */
export async function startCrmHarness({
  emulator = {},
  env = {},
  overrides = {},
}: {
  emulator?: NotionEmulatorOptions;
  env?: Record<string, string>;
  overrides?: CrmServerOverrides;
} = {}): Promise<CrmHarness> {
  const crm = await startCrmEmulator(emulator);
  const dir = makeTempDir();
  const log = captureLogger();
  const fullEnv = {
    ...crm.notionEnv(),
    NOTION_RATE_LIMIT_RPS: "100",
    FORM_SECRET,
    NOTION_WEBHOOK_SECRET,
    DATA_DIR: dir.path,
    PORT: "0",
    // Polling has its own tests (test/deal-webhooks/deal-poll.test.ts); elsewhere it would add queries to count.
    DEALS_POLL_SECONDS: "0",
    ...env,
  };
  const start = () =>
    startCrmServer(loadConfig(fullEnv, { require: SERVER_REQUIRED_SETTINGS, envFile: false }), log.logger, {
      backoffBaseMs: 20,
      attemptTimeoutMs: 1_000,
      retryBaseMs: 100,
      schemaRetryBaseMs: 100,
      dealEventQuietMs: 100,
      slackRetryBaseMs: 50,
      ...overrides,
    });
  const harness: CrmHarness = {
    crm,
    server: await start(),
    dataDir: dir.path,
    log,
    env: fullEnv,
    postLead(body, headers = {}) {
      const raw = typeof body === "string" ? body : JSON.stringify(body);
      return request(harness.server.url)
        .post("/lead")
        .set("Content-Type", "application/json")
        .set("X-Form-Signature", formSignatureHex(raw, FORM_SECRET))
        .set(headers)
        .send(raw);
    },
    contacts: () => crm.emulator.admin.listPages(crm.dataSources.contacts),
    activities: () => crm.emulator.admin.listPages(crm.dataSources.activities),
    async restart(whileStopped) {
      await harness.server.stop();
      await whileStopped?.();
      harness.server = await start();
    },
    async stop() {
      await harness.server.stop();
      await crm.stop();
      dir.remove();
    },
  };
  return harness;
}

/** Polls until `check` passes or the time is up (then the last failure is thrown). */
export async function eventually(
  check: () => void | Promise<void>,
  { timeoutMs = 10_000, intervalMs = 50 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
