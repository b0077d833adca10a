import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NotionEmulator } from "../src/index.js";
import { seedCrm } from "./crm-fixture.js";
import { apiError, rawRequest, sdkFor, startEmulator } from "./emulator-test-kit.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("the emulator's HTTP surface", () => {
  let emulator: NotionEmulator;
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(() => emulator.stop());

  it("answers the bot user for the right token", async () => {
    const me = await sdkFor(emulator).users.me({});
    expect(me).toMatchObject({ object: "user", type: "bot" });
    expect(me.id).toMatch(UUID);
  });

  it("refuses a wrong token with 401 unauthorized in Notion's error shape", async () => {
    const error = await apiError(() => sdkFor(emulator, { auth: "secret_wrong" }).users.me({}));
    expect(error.status).toBe(401);
    expect(error.code).toBe("unauthorized");
    expect(error.message).toBe("API token is invalid.");
    const raw = await rawRequest(emulator, "GET", "/v1/users/me", { headers: { authorization: "" } });
    expect(raw.json).toEqual({
      object: "error",
      status: 401,
      code: "unauthorized",
      message: "API token is invalid.",
      request_id: expect.stringMatching(UUID),
    });
  });

  it("answers missing_version without a Notion-Version header", async () => {
    const response = await fetch(`${emulator.url}/v1/users/me`, {
      headers: { authorization: `Bearer ${emulator.token}` },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ object: "error", status: 400, code: "missing_version" });
  });

  it("accepts Notion-Version 2026-03-11 as well as 2025-09-03", async () => {
    for (const version of ["2026-03-11", "2025-09-03"]) {
      const raw = await rawRequest(emulator, "GET", "/v1/users/me", { headers: { "notion-version": version } });
      expect(raw.status).toBe(200);
    }
  });

  it("refuses any other Notion-Version with a validation_error naming the header", async () => {
    const raw = await rawRequest(emulator, "GET", "/v1/users/me", { headers: { "notion-version": "2022-06-28" } });
    expect(raw.status).toBe(400);
    expect(raw.json["code"]).toBe("validation_error");
    expect(raw.json["message"]).toContain("Notion-Version");
  });

  it("answers invalid_json for a body that is not JSON", async () => {
    const raw = await rawRequest(emulator, "POST", "/v1/search", { body: "{not json" });
    expect(raw.status).toBe(400);
    expect(raw.json["code"]).toBe("invalid_json");
  });

  it("answers 413 for a body over 500 KB", async () => {
    const raw = await rawRequest(emulator, "POST", "/v1/search", {
      body: JSON.stringify({ query: "x".repeat(600_000) }),
    });
    expect(raw.status).toBe(413);
    expect(raw.json["object"]).toBe("error");
  });

  it("answers invalid_request_url for an unknown route or method", async () => {
    for (const [method, path] of [
      ["GET", "/v1/nothing"],
      ["DELETE", "/v1/pages/0f4d2c3a9b8e4f6a8c7d6e5f4a3b2c1d"],
    ] as const) {
      const raw = await rawRequest(emulator, method, path);
      expect(raw.status).toBe(400);
      expect(raw.json["code"]).toBe("invalid_request_url");
    }
  });

  it("rejects a malformed id with validation_error and an unknown one with object_not_found", async () => {
    const malformed = await rawRequest(emulator, "GET", "/v1/pages/not-an-id");
    expect(malformed.status).toBe(400);
    expect(malformed.json["code"]).toBe("validation_error");
    const unknown = await apiError(() =>
      sdkFor(emulator).pages.retrieve({ page_id: "0f4d2c3a9b8e4f6a8c7d6e5f4a3b2c1d" }),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.code).toBe("object_not_found");
    expect(unknown.message).toBe(
      "Could not find page with ID: 0f4d2c3a-9b8e-4f6a-8c7d-6e5f4a3b2c1d. Make sure the relevant pages and databases are shared with your integration.",
    );
  });

  it("accepts ids with or without dashes and answers the dashed form", async () => {
    const { databaseId } = seedCrm(emulator).contacts;
    const compact = await sdkFor(emulator).databases.retrieve({ database_id: databaseId.replaceAll("-", "") });
    const upper = await sdkFor(emulator).databases.retrieve({ database_id: databaseId.toUpperCase() });
    expect(compact.id).toBe(databaseId);
    expect(upper.id).toBe(databaseId);
  });

  it("records every request, refused ones included", async () => {
    await sdkFor(emulator).users.me({});
    await apiError(() => sdkFor(emulator, { auth: "nope" }).users.me({}));
    expect(emulator.stats.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", "/v1/users/me", 200],
      ["GET", "/v1/users/me", 401],
    ]);
    expect(emulator.stats.count({ status: 401 })).toBe(1);
    expect(emulator.stats.count({ method: "get", path: /users/ })).toBe(2);
    emulator.stats.reset();
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("closes cleanly even with a keep-alive connection open", async () => {
    await sdkFor(emulator).users.me({});
    await emulator.stop();
    await expect(fetch(`${emulator.url}/v1/users/me`)).rejects.toThrow();
  });
});
