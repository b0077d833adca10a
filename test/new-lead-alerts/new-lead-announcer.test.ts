import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createNewLeadAnnouncer, NEW_LEAD_ALERT_HOLD_MS } from "../../src/new-lead-alerts/new-lead-announcer.js";
import { createSlackOutbox, type SlackOutbox } from "../../src/slack/slack-outbox.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { makeTempDir } from "../support/temp-dir.js";

const lead = (n: number) => ({
  pageId: `0000000000000000000000000000${String(n).padStart(4, "0")}`,
  url: `https://www.notion.so/page${n}`,
  email: `lead${n}@example.com`,
  name: `Lead <!channel> ${n}`,
  message: "hello there",
});

describe("new-lead alerts: one per contact, a burst in one message", () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: Store;
  let outbox: SlackOutbox;
  let nowMs: number;
  let notified: number;
  const clock = () => nowMs;

  beforeEach(() => {
    dir = makeTempDir();
    db = openStore(dir.path);
    nowMs = 1_800_000_000_000;
    notified = 0;
    outbox = createSlackOutbox(db, clock);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  const announcer = (buttons: Array<"contacted" | "not_a_fit"> = []) =>
    createNewLeadAnnouncer({
      db,
      outbox,
      notify: () => void notified++,
      buttons: () => buttons,
      logger: captureLogger().logger,
      now: clock,
    });
  const queued = () => outbox.list("queued");

  it("queues one alert per contact, held for the burst window, and never twice for the same page", () => {
    const alerts = announcer(["contacted", "not_a_fit"]);
    alerts.announce(lead(1));
    alerts.announce(lead(1));
    expect(queued()).toHaveLength(1);
    expect(queued()[0]!.nextAttemptAtMs).toBe(nowMs + NEW_LEAD_ALERT_HOLD_MS);
    expect(notified).toBe(1);
    const text = queued()[0]!.message.text;
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).not.toContain("<!channel>");
    expect(JSON.stringify(queued()[0]!.message.blocks)).toContain('"verbatim":true');
  });

  it("sends 5 leads within a minute one by one", () => {
    const alerts = announcer();
    for (let n = 1; n <= 5; n++) {
      alerts.announce(lead(n));
      nowMs += 1_000;
    }
    expect(queued()).toHaveLength(5);
  });

  it("folds the 6th lead within a minute and those still waiting into one message listing them all", () => {
    const alerts = announcer(["contacted", "not_a_fit"]);
    for (let n = 1; n <= 7; n++) {
      alerts.announce(lead(n));
      nowMs += 1_000;
    }
    const [grouped, ...others] = queued();
    expect(others).toEqual([]);
    expect(grouped!.message.text).toContain("7 new leads");
    for (let n = 1; n <= 7; n++) expect(grouped!.message.text).toContain(`lead${n}@example.com`);
    const actionBlocks = grouped!.message.blocks!.filter((block) => block.type === "actions");
    expect(actionBlocks).toHaveLength(7);
  });

  it("counts alerts already sent within the minute: the rest of a burst goes out together", () => {
    const alerts = announcer();
    for (let n = 1; n <= 4; n++) alerts.announce(lead(n));
    for (const item of queued()) outbox.markSent(item.id);
    nowMs += 20_000;
    alerts.announce(lead(5));
    expect(queued()).toHaveLength(1);
    alerts.announce(lead(6));
    alerts.announce(lead(7));
    expect(queued()).toHaveLength(1);
    expect(queued()[0]!.message.text).toContain("3 new leads");
    // A minute after the burst, a lone lead is announced alone again.
    for (const item of queued()) outbox.markSent(item.id);
    nowMs += 61_000;
    alerts.announce(lead(8));
    expect(queued()[0]!.message.text).toContain("New lead");
  });

  it("keeps a lead's details only while its message waits: once sent, the row keeps the page id alone", () => {
    const alerts = announcer();
    alerts.announce(lead(1));
    for (const item of queued()) outbox.markSent(item.id);
    nowMs += 120_000;
    alerts.announce(lead(2));
    const rows = db.prepare("SELECT page_id, lead_json FROM new_lead_alerts ORDER BY page_id").all();
    expect(rows).toEqual([
      { page_id: lead(1).pageId, lead_json: "{}" },
      { page_id: lead(2).pageId, lead_json: JSON.stringify(lead(2)) },
    ]);
    // The page is still known: it is never announced twice.
    alerts.announce(lead(1));
    expect(queued()).toHaveLength(1);
  });

  it("keeps held alerts across a restart (they are in the outbox)", () => {
    announcer().announce(lead(1));
    db.close();
    db = openStore(dir.path);
    outbox = createSlackOutbox(db, clock);
    expect(outbox.list("queued").map((item) => item.dedupeKey)).toEqual([`new-lead:${lead(1).pageId}`]);
  });
});
