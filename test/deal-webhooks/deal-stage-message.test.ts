import { describe, expect, it } from "vitest";
import { dealStageMessage, notifyStageOf } from "../../src/deal-webhooks/deal-stage-message.js";
import { formatDealValue } from "../../src/notion/format-deal-value.js";
import { createNotionEventStore } from "../../src/deal-webhooks/notion-event-store.js";

const RETENTION_MS = 90 * 86_400_000;
import { openStore } from "../../src/store/open-store.js";
import { makeTempDir } from "../support/temp-dir.js";

describe("dealStageMessage", () => {
  const base = {
    dealName: "Acme",
    from: "negotiation",
    to: "won",
    value: "$12,000",
    owners: ["Dana"],
    url: "https://www.notion.so/Acme-0123",
  };

  it("words each notify stage its own way", () => {
    expect(dealStageMessage(base).text).toBe("🎉 Deal won: *Acme* — $12,000 (negotiation → won)");
    expect(dealStageMessage({ ...base, from: "won", to: "lost" }).text).toBe(
      "💔 Deal lost: *Acme* — $12,000 (won → lost)",
    );
    expect(dealStageMessage({ ...base, from: "proposal", to: "negotiation" }).text).toBe(
      "🤝 Deal in negotiation: *Acme* — $12,000 (proposal → negotiation)",
    );
  });

  it("names a new deal and an untitled one", () => {
    expect(dealStageMessage({ ...base, dealName: " ", from: undefined }).text).toBe(
      "🎉 Deal won: *Untitled deal* — $12,000 (new deal → won)",
    );
  });

  it("puts owners and a link to the page in the context line, escaped", () => {
    const message = dealStageMessage({ ...base, owners: ["Dana <!here>", "Lee"] });
    expect(message.blocks?.[1]).toEqual({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: "Owner: Dana &lt;!here&gt;, Lee · <https://www.notion.so/Acme-0123|Open in Notion>",
          verbatim: true,
        },
      ],
    });
  });

  it("keeps a name with *, _, ~ or ` bold as one piece, its characters shown by look-alikes", () => {
    const message = dealStageMessage({ ...base, dealName: "Rush*Job _v2_ ~old~ `x`" });
    const bold = /: \*(.*)\* — /.exec(message.text)?.[1];
    expect(bold).toBe("Rush∗Job ＿v2＿ ∼old∼ ˋxˋ");
    expect(bold).not.toMatch(/[*_~`]/);
  });

  it("recognises stage names however they were typed", () => {
    expect(notifyStageOf(" Won ")).toBe("won");
    expect(notifyStageOf("NEGOTIATION")).toBe("negotiation");
    expect(notifyStageOf("proposal")).toBeUndefined();
  });
});

describe("formatDealValue", () => {
  it.each([
    [12_000, "dollar", "$12,000"],
    [1234.5, "euro", "€1,234.50"],
    [99, "pound", "£99"],
    [12_000, "number_with_commas", "12,000"],
    [12_000, "number", "12000"],
    [0.25, "percent", "25%"],
    [12_000, "australian_dollar", "A$12,000"],
    [12_000, "canadian_dollar", "CA$12,000"],
    [12_000, "peruvian_sol", "S/12,000"],
    [1234.5, "singapore_dollar", "S$1,234.50"],
    [12_000, "ruble", "₽12,000"],
    [undefined, "dollar", "no value"],
  ] as const)("formats %s as %s: %s", (value, format, expected) => {
    expect(formatDealValue(value, format)).toBe(expected);
  });
});

describe("the Notion event store", () => {
  it("records an id once and forgets settled ids after the retention", () => {
    const dir = makeTempDir();
    const db = openStore(dir.path);
    let now = 1_000_000_000_000;
    const store = createNotionEventStore(db, () => now);
    const event = { id: "evt-1", type: "page.created", entity: { id: "page-1", type: "page" } };
    expect(store.record(event)).toBe(true);
    expect(store.record(event)).toBe(false);
    store.settle(["evt-1"], "done");
    now += RETENTION_MS - 1;
    expect(store.pruneFinished(RETENTION_MS)).toBe(0);
    expect(store.record(event)).toBe(false);
    now += 2;
    expect(store.pruneFinished(RETENTION_MS)).toBe(1);
    db.close();
    dir.remove();
  });

  it("stores events that cannot change a stage as ignored", () => {
    const dir = makeTempDir();
    const db = openStore(dir.path);
    const store = createNotionEventStore(db);
    store.record({ id: "evt-2", type: "comment.created", entity: { id: "c", type: "comment" } });
    expect(store.hasQueued()).toBe(false);
    db.close();
    dir.remove();
  });
});
