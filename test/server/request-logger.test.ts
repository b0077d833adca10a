import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/server/create-app.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("the request log line", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let server: RunningServer;
  afterEach(async () => {
    await server.close();
    db.close();
    dir.remove();
  });

  it("keeps only a bounded prefix of a stranger's path", async () => {
    dir = makeTempDir("crm-request-log-");
    db = openStore(dir.path);
    const log = captureLogger();
    server = await startServer(createApp({ db, logger: log.logger }), { host: "127.0.0.1", port: 0 });
    const response = await request(server.url).get(`/${"p".repeat(8_000)}`);
    expect(response.status).toBe(404);
    const line = log.lines().find((entry) => entry.msg === "request done");
    expect(line?.path).toBe(`/${"p".repeat(199)}`);
    expect(Math.max(...log.raw.map((raw) => raw.length))).toBeLessThan(1_024);
  });
});
