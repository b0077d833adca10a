import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { APIResponseError, Client, RequestTimeoutError, UnknownHTTPResponseError } from "@notionhq/client";
import { seedCrm, type CrmSeed } from "./crm-fixture.js";
import type { NotionEmulator } from "../src/index.js";
import { apiError, rawRequest, sdkFor, startEmulator, title } from "./emulator-test-kit.js";

describe("injected faults", () => {
  let emulator: NotionEmulator;
  let seed: CrmSeed;
  let notion: Client;
  beforeEach(async () => {
    emulator = await startEmulator();
    seed = seedCrm(emulator);
    notion = sdkFor(emulator);
  });
  afterEach(() => emulator.stop());

  const createContact = () =>
    notion.pages.create({ parent: { data_source_id: seed.contacts.dataSourceId }, properties: { Name: title("Ann") } });
  const contacts = () => emulator.admin.listPages(seed.contacts.dataSourceId);

  it("answers 503 service_unavailable during an outage, applies nothing, and recovers after it", async () => {
    emulator.faults.unavailableFor(250);
    const error = await apiError(createContact);
    expect(error.status).toBe(503);
    expect(error.code).toBe("service_unavailable");
    expect(contacts()).toHaveLength(0);
    await sleep(300);
    await createContact();
    expect(contacts()).toHaveLength(1);
  });

  it("answers 529 service_overload with the Retry-After it was given", async () => {
    emulator.faults.unavailableFor(1000, 529, { retryAfterSeconds: 2 });
    const raw = await rawRequest(emulator, "GET", "/v1/users/me");
    expect(raw.status).toBe(529);
    expect(raw.json["code"]).toBe("service_overload");
    expect(raw.headers.get("retry-after")).toBe("2");
    expect(raw.json["additional_data"]).toEqual({ retry_after: 2 });
  });

  it("answers an HTML 502 page like a proxy would, then serves normally", async () => {
    emulator.faults.failNext(1, { kind: "html", status: 502 });
    const raw = await rawRequest(emulator, "GET", "/v1/users/me");
    expect(raw.status).toBe(502);
    expect(raw.headers.get("content-type")).toContain("text/html");
    expect(raw.text).toContain("502 Bad Gateway");
    emulator.faults.failNext(1, { kind: "html", status: 502 });
    await expect(notion.users.me({})).rejects.toBeInstanceOf(UnknownHTTPResponseError);
    await expect(notion.users.me({})).resolves.toMatchObject({ object: "user" });
  });

  it("answers an injected status with its code, Retry-After and additional data, outside the rate limiter's count", async () => {
    emulator.faults.failNext(1, {
      kind: "status",
      status: 429,
      retryAfterSeconds: 3,
      additionalData: { rate_limit_reason: "public_api_request_blocked" },
    });
    const raw = await rawRequest(emulator, "GET", "/v1/users/me");
    expect(raw.status).toBe(429);
    expect(raw.headers.get("retry-after")).toBe("3");
    expect(raw.json).toMatchObject({
      code: "rate_limited",
      additional_data: { rate_limit_reason: "public_api_request_blocked" },
    });
    expect(emulator.stats.rateLimited).toBe(0);
  });

  it("applies a fault only to requests matching its method and path", async () => {
    emulator.faults.failNext(2, { kind: "status", status: 500, method: "POST", path: /^\/v1\/pages$/ });
    await notion.users.me({});
    expect((await apiError(createContact)).code).toBe("internal_server_error");
    expect((await apiError(createContact)).status).toBe(500);
    await createContact();
    expect(contacts()).toHaveLength(1);
  });

  it("drops the connection without an answer", async () => {
    emulator.faults.failNext(1, { kind: "drop" });
    const failure = await createContact().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(APIResponseError);
    expect(contacts()).toHaveLength(0);
    expect(emulator.stats.requests[0]?.status).toBe(0);
  });

  it("hangs until the client's timeout fires, and stop() still returns promptly", async () => {
    emulator.faults.failNext(1, { kind: "hang" });
    const impatient = sdkFor(emulator, { timeoutMs: 200 });
    await expect(impatient.users.me({})).rejects.toBeInstanceOf(RequestTimeoutError);
    // A hung connection left open would keep stop() waiting for ever; the test's timeout guards that.
    await emulator.stop();
  });

  it("commits the write and then fails for commit-then-fail, the ambiguous case", async () => {
    emulator.faults.failNext(1, { kind: "commit-then-fail", method: "POST" });
    const error = await apiError(createContact);
    expect(error.status).toBe(500);
    expect(contacts()).toHaveLength(1);
    expect(error.additional_data).toBeUndefined();
  });

  it("reports the committed page id when asked to", async () => {
    emulator.faults.failNext(1, { kind: "commit-then-fail", status: 504, includeCommittedResourceId: true });
    const error = await apiError(createContact);
    expect(error.code).toBe("gateway_timeout");
    const [page] = contacts();
    expect(error.additional_data).toEqual({ committed_resource_id: page?.id });
  });

  it.each([
    "public_api_request_rate_limit",
    "public_api_space_request_rate_limit",
    "public_api_endpoint_rate_limit",
  ] as const)("answers an injected 429 %s with the wait in the header and the body", async (reason) => {
    emulator.faults.failNext(1, { kind: "rate_limited", reason, retryAfterSeconds: 300 });
    const raw = await rawRequest(emulator, "GET", "/v1/users/me");
    expect(raw.status).toBe(429);
    expect(raw.headers.get("retry-after")).toBe("300");
    expect(raw.json).toMatchObject({
      code: "rate_limited",
      additional_data: { rate_limit_reason: reason, retry_after: 300 },
    });
    await expect(notion.users.me({})).resolves.toMatchObject({ object: "user" });
  });

  it("answers every request 429 public_api_request_blocked while the connection is blocked, and applies nothing", async () => {
    emulator.faults.blocked = true;
    for (let i = 0; i < 3; i++) {
      const error = await apiError(createContact);
      expect(error.status).toBe(429);
      expect(error.additional_data).toMatchObject({ rate_limit_reason: "public_api_request_blocked" });
    }
    expect(contacts()).toHaveLength(0);
    emulator.faults.blocked = false;
    await createContact();
    expect(contacts()).toHaveLength(1);
  });

  it("saves a write and answers 503 with retry_guidance, with or without the committed page", async () => {
    emulator.faults.failNext(1, { kind: "saved-then-503", method: "POST" });
    const without = await apiError(createContact);
    expect(without.status).toBe(503);
    expect(without.additional_data).toEqual({ retry_guidance: "Do not repeat the write" });
    emulator.faults.failNext(1, { kind: "saved-then-503", method: "POST", includeCommittedResourceId: true });
    const withId = await apiError(createContact);
    expect(withId.additional_data?.["retry_guidance"]).toBe("Do not repeat the write");
    const saved = contacts();
    expect(saved).toHaveLength(2);
    expect(withId.additional_data?.["committed_resource_id"]).toBe(saved[1]!.id);
  });

  it("adds latency before answering, and reset() clears every fault", async () => {
    emulator.faults.latencyMs = 150;
    const startedAt = Date.now();
    await notion.users.me({});
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
    emulator.faults.latencyMs = 600_000; // not cleared, the next request would outlast the test's timeout
    emulator.faults.failNext(5, { kind: "status", status: 500 });
    emulator.faults.unavailableFor(10_000);
    emulator.faults.reset();
    await notion.users.me({});
    expect(emulator.faults.latencyMs).toBe(0);
    expect(emulator.stats.requests.at(-1)?.status).toBe(200);
  });
});
