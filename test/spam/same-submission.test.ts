import { describe, expect, it } from "vitest";
import { findSameSubmission, SAME_SUBMISSION_WINDOW_MS, sameSubmissionKeys } from "../../src/spam/same-submission.js";

describe("the same-submission window (one rule for /lead and /form)", () => {
  const windowStart = 1_700_000_000_000 - (1_700_000_000_000 % SAME_SUBMISSION_WINDOW_MS);

  it("gives the same content the same keys within a window, and the next window points back to it", () => {
    const first = sameSubmissionKeys("lead-body", Buffer.from('{"email":"ann@example.com"}'), windowStart - 1);
    const retry = sameSubmissionKeys("lead-body", Buffer.from('{"email":"ann@example.com"}'), windowStart + 1);
    expect(retry.key).not.toBe(first.key);
    expect(retry.previousKey).toBe(first.key);
    expect(sameSubmissionKeys("lead-body", "other", windowStart).key).not.toBe(
      sameSubmissionKeys("lead-body", '{"email":"ann@example.com"}', windowStart).key,
    );
    expect(sameSubmissionKeys("form", "x", windowStart).key).not.toBe(
      sameSubmissionKeys("lead-body", "x", windowStart).key,
    );
  });

  it("finds a submission stored in the previous window while it is under 10 minutes old, not after", () => {
    const firstAt = windowStart - 60_000; // one minute before the window edge
    const stored = new Map<string, { id: string; receivedAtMs: number }>();
    stored.set(sameSubmissionKeys("form", "same", firstAt).key, { id: "first", receivedAtMs: firstAt });
    const find = (key: string) => stored.get(key);

    expect(findSameSubmission(sameSubmissionKeys("form", "same", firstAt + 30_000), firstAt + 30_000, find)?.id).toBe(
      "first",
    );
    // Two minutes later, across the edge: the same submission.
    const later = firstAt + 120_000;
    expect(findSameSubmission(sameSubmissionKeys("form", "same", later), later, find)?.id).toBe("first");
    // Ten minutes and one second later: a new one.
    const tooLate = firstAt + SAME_SUBMISSION_WINDOW_MS + 1_000;
    expect(findSameSubmission(sameSubmissionKeys("form", "same", tooLate), tooLate, find)).toBeUndefined();
  });
});
