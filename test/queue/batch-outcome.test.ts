import { describe, expect, it } from "vitest";
import { isRetryableNotionError, NotionGatewayError } from "../../src/notion/notion-errors.js";
import { dueAgainAtMs, retryOrBury, retryOrBuryError } from "../../src/queue/batch-outcome.js";

const policy = { baseMs: 100, maxMs: 1_000 };

describe("retryOrBury", () => {
  it("buries a failure that cannot succeed again, with its reason", () => {
    expect(retryOrBury({ retryable: false, reason: "HTTP 400 invalid_payload" }, 1, policy)).toEqual({
      kind: "dead",
      reason: "HTTP 400 invalid_payload",
    });
  });

  it("retries a retryable failure after the backoff of its attempt, never sooner than half of it", () => {
    for (let i = 0; i < 50; i++) {
      const first = retryOrBury({ retryable: true, reason: "ECONNREFUSED" }, 1, policy);
      expect(first).toMatchObject({ kind: "retry", reason: "ECONNREFUSED" });
      expect(first.kind === "retry" && first.afterMs).toBeGreaterThanOrEqual(50);
      expect(first.kind === "retry" && first.afterMs).toBeLessThanOrEqual(100);
      const third = retryOrBury({ retryable: true, reason: "ECONNREFUSED" }, 3, policy);
      expect(third.kind === "retry" && third.afterMs).toBeGreaterThanOrEqual(200);
      expect(third.kind === "retry" && third.afterMs).toBeLessThanOrEqual(400);
    }
  });

  it("caps the backoff of a long outage at the policy's maximum", () => {
    const outcome = retryOrBury({ retryable: true, reason: "HTTP 503" }, 40, policy);
    expect(outcome.kind === "retry" && outcome.afterMs).toBeGreaterThanOrEqual(500);
    expect(outcome.kind === "retry" && outcome.afterMs).toBeLessThanOrEqual(1_000);
  });

  it("waits what the other side asked for (Retry-After) in whole ms, instead of the backoff", () => {
    expect(retryOrBury({ retryable: true, reason: "rate_limited", retryAfterMs: 1500.2 }, 1, policy)).toEqual({
      kind: "retry",
      afterMs: 1501,
      reason: "rate_limited",
    });
  });

  it("falls back to the backoff when Retry-After is zero", () => {
    const outcome = retryOrBury({ retryable: true, reason: "rate_limited", retryAfterMs: 0 }, 1, policy);
    expect(outcome.kind === "retry" && outcome.afterMs).toBeGreaterThanOrEqual(50);
  });
});

describe("retryOrBuryError", () => {
  const details = { operation: "pages.create", attempts: 3 };

  it("retries what the Notion gateway calls retryable and keeps the error for the log", () => {
    const error = new NotionGatewayError("notion_unavailable", "Notion is unavailable", details);
    expect(retryOrBuryError(error, 1, policy, isRetryableNotionError)).toMatchObject({
      kind: "retry",
      reason: "Notion is unavailable",
      cause: error,
    });
  });

  it("buries what Notion rejected, and any other error (a bug is not retried forever)", () => {
    const rejected = new NotionGatewayError("notion_rejected", "Email is not a property", details);
    expect(retryOrBuryError(rejected, 1, policy, isRetryableNotionError)).toMatchObject({
      kind: "dead",
      reason: "Email is not a property",
    });
    expect(retryOrBuryError(new TypeError("x is undefined"), 1, policy, isRetryableNotionError)).toMatchObject({
      kind: "dead",
      reason: "x is undefined",
    });
    expect(retryOrBuryError("plain string", 1, policy, isRetryableNotionError)).toMatchObject({
      kind: "dead",
      reason: "plain string",
    });
  });
});

describe("retryOrBuryError knows no vendor", () => {
  it("asks the caller's classifier, and retries a failure of the local state file whatever it says", () => {
    const busy = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
    const never = () => false;
    expect(retryOrBuryError(busy, 1, policy, never)).toMatchObject({ kind: "retry", reason: "database is locked" });
    expect(retryOrBuryError(new Error("vendor hiccup"), 1, policy, () => true)).toMatchObject({ kind: "retry" });
    expect(retryOrBuryError(new Error("vendor hiccup"), 1, policy, never)).toMatchObject({ kind: "dead" });
  });
});

describe("dueAgainAtMs", () => {
  it("is now plus the delay for a retry, and the given time for a hold", () => {
    expect(dueAgainAtMs({ kind: "retry", afterMs: 250, reason: "r" }, 1_000)).toBe(1_250);
    expect(dueAgainAtMs({ kind: "hold", untilMs: 9_000, reason: "r" }, 1_000)).toBe(9_000);
  });
});
