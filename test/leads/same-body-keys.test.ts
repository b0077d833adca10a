import { describe, expect, it } from "vitest";
import { SAME_BODY_WINDOW_MS, sameBodyKeys } from "../../src/leads/same-body-keys.js";

describe("sameBodyKeys", () => {
  const body = Buffer.from('{"email":"ann@example.com"}');

  it("gives a body the previous window's key to look under, so a retry across a window boundary is found", () => {
    const start = 1_700_000_000_000 - (1_700_000_000_000 % SAME_BODY_WINDOW_MS);
    const first = sameBodyKeys(body, start - 1);
    const retry = sameBodyKeys(body, start + 1);
    expect(retry.key).not.toBe(first.key);
    expect(retry.previousKey).toBe(first.key);
  });

  it("differs for other bytes", () => {
    expect(sameBodyKeys(Buffer.from('{"email":"bob@example.com"}'), 0).key).not.toBe(sameBodyKeys(body, 0).key);
  });
});
