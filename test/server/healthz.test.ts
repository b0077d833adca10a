import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/server/create-app.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("GET /healthz", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let server: RunningServer;

  async function start() {
    dir = makeTempDir("crm-healthz-");
    db = openStore(dir.path);
    server = await startServer(createApp({ db, logger: captureLogger().logger }), { host: "127.0.0.1", port: 0 });
  }
  afterEach(async () => {
    await server.close();
    db.close();
    dir.remove();
  });

  it("answers ok while the state file takes writes, and leaves nothing behind", async () => {
    await start();
    const response = await request(server.url).get("/healthz");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ok" });
    expect(db.prepare("SELECT count(*) AS n FROM health_probe").get()).toEqual({ n: 0 });
  });

  it("answers 503 when the state file is full, as a lead would find it", async () => {
    await start();
    // The file may not grow by a page: what a full disk does to a lead's INSERT.
    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const lead = () =>
      db
        .prepare(
          "INSERT INTO lead_submissions (id, email, lead_json, received_at_ms, state, next_attempt_at_ms) VALUES (?, ?, ?, 0, 'queued', 0)",
        )
        .run("x", "a@b.co", "x".repeat(8_000));
    expect(lead).toThrow(/full/);

    const response = await request(server.url).get("/healthz");
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      status: "unavailable",
      error: "the state file cannot take a write; leads would be refused",
    });
  });
});
