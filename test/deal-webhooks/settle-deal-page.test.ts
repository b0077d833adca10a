import type { PageObjectResponse } from "@notionhq/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDealStageStore } from "../../src/deal-webhooks/deal-stage-store.js";
import { LEARN_SILENTLY, settleDealPage } from "../../src/deal-webhooks/settle-deal-page.js";
import { createSlackOutbox } from "../../src/slack/slack-outbox.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { startCrmEmulator, type CrmEmulator } from "../support/crm-emulator.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("settleDealPage, the one stage comparison", () => {
  let crm: CrmEmulator;
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let deps: Parameters<typeof settleDealPage>[0];
  const queued = () =>
    createSlackOutbox(db)
      .list("queued", 100)
      .map((item) => item.message.text);

  beforeEach(async () => {
    crm = await startCrmEmulator();
    dir = makeTempDir();
    db = openStore(dir.path);
    deps = { db, stages: createDealStageStore(db), outbox: createSlackOutbox(db) };
  });
  afterEach(async () => {
    db.close();
    dir.remove();
    await crm.stop();
  });

  /** A deal as Notion answers it (from the emulator), at a given stage and edit minute. */
  function dealAt(stage: string, lastEditedTime: string, id?: string): PageObjectResponse {
    const page = crm.emulator.admin.insertPage(
      crm.dataSources.deals,
      { "Deal Name": { title: [{ text: { content: "Acme" } }] }, Stage: { select: { name: stage } } },
      { createdTime: "2026-01-01T00:00:00.000Z", lastEditedTime },
    );
    return id === undefined ? page : { ...page, id };
  }
  const settle = (page: PageObjectResponse) =>
    settleDealPage(deps, page, { firstSighting: LEARN_SILENTLY, valueFormat: undefined });

  it("learns a first-seen deal silently, then posts its move once however often it is read", () => {
    const first = dealAt("negotiation", "2026-03-01T10:00:00.000Z");
    expect(settle(first)).toBe("unchanged");
    const won = dealAt("won", "2026-03-01T10:05:00.000Z", first.id);
    expect(settle(won)).toBe("notified");
    expect(settle(won)).toBe("unchanged");
    expect(queued()).toEqual([expect.stringContaining("(negotiation → won)")]);
  });

  it("does not let an older copy (a lagging query result) move the stage back", () => {
    const first = dealAt("negotiation", "2026-03-01T10:00:00.000Z");
    settle(first);
    settle(dealAt("won", "2026-03-01T10:05:00.000Z", first.id));

    expect(settle(dealAt("negotiation", "2026-03-01T10:04:00.000Z", first.id))).toBe("stale");
    expect(settle(dealAt("won", "2026-03-01T10:06:00.000Z", first.id))).toBe("unchanged");
    expect(queued()).toEqual([expect.stringContaining("(negotiation → won)")]);
  });

  it("rolls the stage back when the Slack message cannot be stored: both or neither", () => {
    const first = dealAt("negotiation", "2026-03-01T10:00:00.000Z");
    settle(first);
    db.exec("CREATE TRIGGER no_messages BEFORE INSERT ON slack_outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    expect(() => settle(dealAt("won", "2026-03-01T10:05:00.000Z", first.id))).toThrow(/disk full/);
    db.exec("DROP TRIGGER no_messages");
    expect(settle(dealAt("won", "2026-03-01T10:05:00.000Z", first.id))).toBe("notified");
    expect(queued()).toHaveLength(1);
  });
});
