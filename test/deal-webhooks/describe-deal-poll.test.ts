import { describe, expect, it } from "vitest";
import type { DealPollState } from "../../src/store/deal-poll-store.js";
import { describeDealPoll } from "../../src/store/describe-deal-poll.js";

const base: DealPollState = {
  dataSourceId: "ds",
  markMs: Date.parse("2026-12-01T10:00:00.000Z"),
  lastStartedAtMs: Date.parse("2026-12-01T10:00:00.000Z"),
  lastFinishedAtMs: Date.parse("2026-12-01T10:00:01.000Z"),
  lastOutcome: "ok",
  lastError: undefined,
  lastDeals: 3,
  lastMessages: 1,
  lastQueries: 1,
};

describe("describeDealPoll", () => {
  it("gives the last poll's time, outcome and counts", () => {
    expect(describeDealPoll(base)).toBe(
      "Deal poll: last poll 2026-12-01T10:00:00.000Z ok (3 deals read, 1 messages queued, 1 Notion query); deals edited since 2026-12-01T10:00:00.000Z are read next",
    );
  });

  it("names a failed poll's error and says it is tried again", () => {
    const line = describeDealPoll({
      ...base,
      lastOutcome: "failed",
      lastError: "Notion did not complete dataSources.query deal poll after 6 attempts: HTTP 500",
      lastQueries: 6,
    });
    expect(line).toContain(
      "last poll 2026-12-01T10:00:00.000Z FAILED (3 deals read, 1 messages queued, 6 Notion queries)",
    );
    expect(line).toContain("after 6 attempts: HTTP 500; it is tried again at the next poll");
  });

  it("says when no poll has run", () => {
    expect(describeDealPoll(undefined)).toBe("Deal poll: has not run with this DATA_DIR");
  });
});
