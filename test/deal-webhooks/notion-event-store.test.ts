import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { DEAL_EVENT_MAX_WAIT_MS, DEAL_EVENT_QUIET_MS } from "../../src/deal-webhooks/deal-event-worker.js";
import { createNotionEventStore } from "../../src/deal-webhooks/notion-event-store.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("the Notion event store's quiet period", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it("is capped: a page edited every 600 ms is due once its first pending event is 5 s old", () => {
    dir = makeTempDir("crm-event-store-");
    db = openStore(dir.path);
    let clock = 1_000_000;
    const events = createNotionEventStore(db, () => clock);
    const pageId = randomUUID();
    const edit = () =>
      events.record({ id: randomUUID(), type: "page.properties_updated", entity: { id: pageId, type: "page" } });

    const dueAt: number[] = [];
    for (let elapsed = 0; elapsed <= 8_000; elapsed += 600) {
      clock = 1_000_000 + elapsed;
      if (events.duePages(DEAL_EVENT_QUIET_MS, DEAL_EVENT_MAX_WAIT_MS).includes(pageId)) dueAt.push(elapsed);
      edit();
    }
    // Never quiet for a second, yet due from the first look past 5 s.
    expect(dueAt[0]).toBe(5_400);
    // Without the cap, the same edits never make it due.
    expect(events.duePages(DEAL_EVENT_QUIET_MS)).toEqual([]);
  });
});
