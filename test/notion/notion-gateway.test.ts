import type { CreatePageResponse } from "@notionhq/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createNotionGateway, type NotionGateway, type NotionGatewayOptions } from "../../src/notion/notion-gateway.js";
import { NotionGatewayError } from "../../src/notion/notion-errors.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { seedCrm } from "../../scripts/lib/crm-seed.js";
import { captureLogger, type CapturedLogger } from "../support/capture-logger.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";

const contact = (email: string) => ({
  Name: { title: [{ text: { content: email } }] },
  Email: { email },
});

describe("createNotionGateway against the emulator", () => {
  let crm: CrmEmulator;
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let log: CapturedLogger;
  let notion: NotionGateway;

  function gateway(overrides: Partial<NotionGatewayOptions> = {}): NotionGateway {
    return createNotionGateway({
      token: crm.emulator.token,
      baseUrl: crm.emulator.url,
      requestsPerMinute: 12_000,
      db,
      logger: log.logger,
      backoffBaseMs: 20,
      attemptTimeoutMs: 400,
      ...overrides,
    });
  }

  const createContact = (email: string, recover?: Parameters<NotionGateway["write"]>[2]) =>
    notion.write(
      "pages.create",
      (client) =>
        client.pages.create({ parent: { data_source_id: crm.dataSources.contacts }, properties: contact(email) }),
      recover as never,
    ) as Promise<CreatePageResponse>;

  const contactsIn = () => crm.emulator.admin.listPages(crm.dataSources.contacts);
  const pagePosts = () => crm.emulator.stats.count({ method: "POST", path: /^\/v1\/pages$/ });

  beforeEach(async () => {
    crm = await startCrmEmulator();
    dir = makeTempDir();
    db = openStore(dir.path);
    log = captureLogger();
    notion = gateway();
  });
  afterEach(async () => {
    await crm.stop();
    db.close();
    dir.remove();
  });

  describe("data source resolution", () => {
    it("resolves a database to its data source once and then answers from the cache", async () => {
      expect(await notion.dataSourceId(crm.databases.contacts)).toBe(crm.dataSources.contacts);
      expect(await notion.dataSourceId(crm.databases.contacts)).toBe(crm.dataSources.contacts);
      expect(crm.emulator.stats.count({ method: "GET", path: /^\/v1\/databases\// })).toBe(1);
    });

    it("accepts a data source id pasted where a database id belongs", async () => {
      expect(await notion.dataSourceId(crm.dataSources.deals)).toBe(crm.dataSources.deals);
    });

    it("fails with object_not_found for a database the integration cannot see, and does not cache the failure", async () => {
      const unknown = "00000000-0000-4000-8000-000000000000";
      await expect(notion.dataSourceId(unknown)).rejects.toMatchObject({
        code: "notion_rejected",
        details: { notionCode: "object_not_found" },
      });
      await expect(notion.dataSourceId(unknown)).rejects.toBeInstanceOf(NotionGatewayError);
      expect(crm.emulator.stats.count({ method: "GET", path: /^\/v1\/databases\// })).toBe(2);
    });
  });

  describe("reads", () => {
    it("waits out a 429's Retry-After and logs Notion's rate_limit_reason", async () => {
      crm.emulator.faults.failNext(1, {
        kind: "status",
        status: 429,
        retryAfterSeconds: 1,
        additionalData: { rate_limit_reason: "workspace_rate_limit" },
      });
      const started = Date.now();
      await notion.read("users.me", (client) => client.users.me({}));
      expect(Date.now() - started).toBeGreaterThanOrEqual(990);
      expect(crm.emulator.stats.count({ path: /^\/v1\/users\/me$/ })).toBe(2);
      expect(log.lines()).toContainEqual(
        expect.objectContaining({
          msg: "notion throttled the request",
          rateLimitReason: "workspace_rate_limit",
          operation: "users.me",
        }),
      );
    });

    it("honours a Retry-After longer than the SDK's 60 s cap would allow (scaled down: 2 s)", async () => {
      crm.emulator.faults.failNext(1, { kind: "status", status: 529, retryAfterSeconds: 2 });
      const started = Date.now();
      await notion.read("users.me", (client) => client.users.me({}));
      expect(Date.now() - started).toBeGreaterThanOrEqual(1990);
    });

    describe("with a clock that moves only when the gateway waits", () => {
      let now: number;
      let sent: number[];
      const fakeClock = () => ({
        now: () => now,
        sleep: async (ms: number) => {
          now += ms;
          await new Promise((resolve) => setImmediate(resolve));
        },
        random: () => 0,
        onSend: () => sent.push(now),
      });
      beforeEach(() => {
        now = 10_000_000;
        sent = [];
      });

      it.each([
        ["public_api_request_rate_limit", 30],
        ["public_api_space_request_rate_limit", 300],
        ["public_api_endpoint_rate_limit", 45],
        ["a reason Notion adds later", 90],
      ])("waits out a 429 %s for its Retry-After (%i s) and sends it once more", async (reason, seconds) => {
        notion = gateway(fakeClock());
        crm.emulator.faults.failNext(1, {
          kind: "status",
          status: 429,
          retryAfterSeconds: seconds,
          additionalData: { rate_limit_reason: reason },
        });
        const me = await notion.read("users.me", (client) => client.users.me({}));
        expect(me.object).toBe("user");
        expect(sent).toHaveLength(2);
        expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(seconds * 1000);
        expect(log.lines()).toContainEqual(
          expect.objectContaining({ msg: "notion throttled the request", rateLimitReason: reason }),
        );
      });

      it("reads the wait from additional_data.retry_after when the header is missing", async () => {
        notion = gateway(fakeClock());
        crm.emulator.faults.failNext(1, {
          kind: "status",
          status: 429,
          additionalData: { rate_limit_reason: "public_api_space_request_rate_limit", retry_after: "240" },
        });
        await notion.read("users.me", (client) => client.users.me({}));
        expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(240_000);
      });

      it("waits out a 529 service_overload like a 429", async () => {
        notion = gateway(fakeClock());
        crm.emulator.faults.failNext(1, { kind: "status", status: 529, retryAfterSeconds: 120 });
        await notion.read("users.me", (client) => client.users.me({}));
        expect(crm.emulator.stats.count({ status: 529 })).toBe(1);
        expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(120_000);
      });

      it("pauses another gateway on the same state file (another process) for a workspace-wide wait, and drops nothing", async () => {
        notion = gateway(fakeClock());
        const other = gateway({ ...fakeClock(), lane: "bulk" });
        crm.emulator.faults.failNext(1, {
          kind: "rate_limited",
          reason: "public_api_space_request_rate_limit",
          retryAfterSeconds: 300,
        });
        const throttledAt = now;
        await notion.read("users.me", (client) => client.users.me({}));
        const otherSentBefore = sent.length;
        now = throttledAt + 1_000;
        await other.read("users.me", (client) => client.users.me({}));
        expect(sent.length).toBe(otherSentBefore + 1);
        expect(sent.at(-1)!).toBeGreaterThanOrEqual(throttledAt + 300_000);
        expect(crm.emulator.stats.count({ status: 200 })).toBe(2);
      });

      it("does not count Notion's waits against the attempts: 10 throttles in a row still end in the answer", async () => {
        notion = gateway({ ...fakeClock(), maxAttempts: 3 });
        crm.emulator.faults.failNext(10, { kind: "rate_limited", retryAfterSeconds: 60 });
        await expect(notion.read("users.me", (client) => client.users.me({}))).resolves.toMatchObject({
          object: "user",
        });
        expect(sent).toHaveLength(11);
      });
    });

    it("rides out a 503 outage with backoff", async () => {
      crm.emulator.faults.unavailableFor(250, 503);
      const result = await notion.read("query", (client) =>
        client.dataSources.query({ data_source_id: crm.dataSources.contacts }),
      );
      expect(result.results).toEqual([]);
      expect(crm.emulator.stats.count({ status: 503 })).toBeGreaterThan(0);
    });

    it.each([
      ["an HTML 502 page from a proxy", { kind: "html", status: 502 }],
      ["a 504", { kind: "status", status: 504 }],
      ["a dropped connection", { kind: "drop" }],
      ["a request that never answers", { kind: "hang" }],
    ] as const)("retries after %s", async (_case, fault) => {
      crm.emulator.faults.failNext(1, fault);
      const me = await notion.read("users.me", (client) => client.users.me({}));
      expect(me.object).toBe("user");
      expect(crm.emulator.stats.count({ path: /^\/v1\/users\/me$/ })).toBe(2);
    });

    it("gives up after the last attempt with a retryable notion_unavailable error", async () => {
      notion = gateway({ maxAttempts: 3 });
      crm.emulator.faults.unavailableFor(60_000, 503);
      const failure = notion.read("users.me", (client) => client.users.me({}));
      await expect(failure).rejects.toMatchObject({
        code: "notion_unavailable",
        retryable: true,
        details: { attempts: 3, status: 503 },
      });
      expect(crm.emulator.stats.count({ path: /^\/v1\/users\/me$/ })).toBe(3);
    });

    it("does not retry a validation error", async () => {
      const failure = notion.read("query", (client) =>
        client.dataSources.query({ data_source_id: crm.dataSources.contacts, page_size: 101 }),
      );
      await expect(failure).rejects.toMatchObject({
        code: "notion_rejected",
        retryable: false,
        details: { status: 400, notionCode: "validation_error" },
      });
      expect(crm.emulator.stats.requests).toHaveLength(1);
    });

    it("never retries a request Notion blocked with public_api_request_blocked", async () => {
      crm.emulator.faults.failNext(1, {
        kind: "status",
        status: 429,
        retryAfterSeconds: 1,
        additionalData: { rate_limit_reason: "public_api_request_blocked" },
      });
      await expect(notion.read("users.me", (client) => client.users.me({}))).rejects.toMatchObject({
        code: "notion_blocked",
      });
      expect(crm.emulator.stats.requests).toHaveLength(1);
    });
  });

  describe("writes", () => {
    it("sends a write again after a 429, since Notion did nothing", async () => {
      crm.emulator.faults.failNext(1, {
        kind: "status",
        status: 429,
        retryAfterSeconds: 1,
        method: "POST",
        path: /^\/v1\/pages$/,
      });
      await createContact("ann@example.com");
      expect(contactsIn()).toHaveLength(1);
      expect(pagePosts()).toBe(2);
    });

    it("sends a write again after a 409 conflict_error: Notion applied nothing and says to retry", async () => {
      crm.emulator.faults.failNext(1, { kind: "status", status: 409, method: "POST", path: /^\/v1\/pages$/ });
      await createContact("ann@example.com");
      expect(contactsIn()).toHaveLength(1);
      expect(pagePosts()).toBe(2);
      expect(log.lines()).toContainEqual(
        expect.objectContaining({ msg: "notion request failed", reason: "conflict_error", attempt: 1 }),
      );
    });

    it("does not send a write again after an ambiguous 500 when it has no way to check", async () => {
      crm.emulator.faults.failNext(1, { kind: "commit-then-fail", status: 500, method: "POST", path: /^\/v1\/pages$/ });
      await expect(createContact("ann@example.com")).rejects.toMatchObject({
        code: "notion_write_ambiguous",
        retryable: true,
      });
      expect(pagePosts()).toBe(1);
      expect(contactsIn()).toHaveLength(1);
    });

    it("settles an ambiguous write from committed_resource_id without sending it again", async () => {
      crm.emulator.faults.failNext(1, {
        kind: "commit-then-fail",
        status: 504,
        includeCommittedResourceId: true,
        method: "POST",
        path: /^\/v1\/pages$/,
      });
      const seen: (string | undefined)[] = [];
      const page = await createContact("ann@example.com", async (committedId) => {
        seen.push(committedId);
        return committedId === undefined
          ? undefined
          : notion.read("pages.retrieve", (client) => client.pages.retrieve({ page_id: committedId }));
      });
      const [stored] = contactsIn();
      expect(seen).toEqual([stored!.id]);
      expect(page.id).toBe(stored!.id);
      expect(pagePosts()).toBe(1);
    });

    it("looks the record up after a timeout and finds the write had landed", async () => {
      crm.emulator.faults.failNext(1, { kind: "commit-then-fail", status: 503, method: "POST", path: /^\/v1\/pages$/ });
      const lookup = async () => {
        const found = await notion.read("query", (client) =>
          client.dataSources.query({
            data_source_id: crm.dataSources.contacts,
            filter: { property: "Email", email: { equals: "ann@example.com" } },
          }),
        );
        return found.results[0] as CreatePageResponse | undefined;
      };
      await createContact("ann@example.com", lookup);
      expect(contactsIn()).toHaveLength(1);
      expect(pagePosts()).toBe(1);
    });

    it("sends the write again when the lookup shows it did not land", async () => {
      crm.emulator.faults.failNext(1, { kind: "status", status: 503, method: "POST", path: /^\/v1\/pages$/ });
      await createContact("ann@example.com", async () => undefined);
      expect(contactsIn()).toHaveLength(1);
      expect(pagePosts()).toBe(2);
    });

    it("never sends a write again that Notion saved and answered 503 with retry_guidance: the committed page is the result", async () => {
      crm.emulator.faults.failNext(1, {
        kind: "saved-then-503",
        includeCommittedResourceId: true,
        method: "POST",
        path: /^\/v1\/pages$/,
      });
      const seen: (string | undefined)[] = [];
      const page = await createContact("ann@example.com", async (committedId) => {
        seen.push(committedId);
        return committedId === undefined ? undefined : ({ id: committedId } as CreatePageResponse);
      });
      const [stored] = contactsIn();
      expect(contactsIn()).toHaveLength(1);
      expect(seen).toEqual([stored!.id]);
      expect(page.id).toBe(stored!.id);
      expect(pagePosts()).toBe(1);
      // No query, no retrieve: the committed id is the answer.
      expect(crm.emulator.stats.requests).toHaveLength(1);
    });

    it("fails a saved write that cannot be read back yet with notion_write_saved, and still sends it only once", async () => {
      crm.emulator.faults.failNext(1, { kind: "saved-then-503", method: "POST", path: /^\/v1\/pages$/ });
      const recovered: (string | undefined)[] = [];
      await expect(
        createContact("ann@example.com", async (committedId) => {
          recovered.push(committedId);
          return undefined;
        }),
      ).rejects.toMatchObject({ code: "notion_write_saved", retryable: true, details: { status: 503 } });
      expect(recovered).toEqual([undefined]);
      expect(contactsIn()).toHaveLength(1);
      expect(pagePosts()).toBe(1);
    });

    it("sends a write again when the connection was refused, since it never left", async () => {
      const port = new URL(crm.emulator.url).port;
      await crm.stop();
      const later = await import("@notion-crm/notion-emulator").then(({ createNotionEmulator }) =>
        createNotionEmulator({ rateLimitPerSecond: Infinity, port: Number(port) }),
      );
      const seeded = seedCrm(later.admin);
      crm = { ...crm, emulator: later, stop: () => later.stop() };
      crm.dataSources.contacts = seeded.contacts.dataSourceId;
      setTimeout(() => void later.start(), 150);
      await createContact("ann@example.com");
      expect(later.admin.listPages(seeded.contacts.dataSourceId)).toHaveLength(1);
      expect(log.lines()).toContainEqual(
        expect.objectContaining({ msg: "notion request failed", kind: "not_sent", reason: "ECONNREFUSED" }),
      );
    });
  });

  it("passes every request through the shared window, retries included: never more than the budget in any window", async () => {
    // A clock that moves only when someone waits: the windows below are exact, whatever the machine's speed.
    let now = 0;
    const sent: number[] = [];
    notion = gateway({
      requestsPerMinute: 3,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
        await new Promise((resolve) => setImmediate(resolve));
      },
      random: () => 0,
      onSend: () => sent.push(now),
    });
    crm.emulator.faults.failNext(2, { kind: "status", status: 503 });
    await Promise.all([1, 2, 3].map(() => notion.read("users.me", (client) => client.users.me({}))));
    expect(crm.emulator.stats.requests).toHaveLength(5);
    expect(sent).toHaveLength(5);
    // 3 at once, then the 2 retries once the first window (61 s: 60 and a margin) is over.
    expect(sent.filter((at) => at < 61_000)).toHaveLength(3);
    for (const at of sent)
      expect(sent.filter((other) => other >= at && other < at + 60_000).length).toBeLessThanOrEqual(3);
  });
});
