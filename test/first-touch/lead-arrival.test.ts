import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { STATE_FILE_NAME } from "../../src/store/open-store.js";
import { startCrmHarness, type CrmHarness } from "../support/crm-harness.js";

describe("a new lead's arrival, for speed to lead", () => {
  let h: CrmHarness;
  afterEach(async () => {
    await h?.stop();
  });

  it("is recorded when the lead worker creates the contact, and not again for a repeat", async () => {
    h = await startCrmHarness();
    const before = Date.now();
    const first = await h.postLead({ email: "Ann@Example.com", name: "Ann" });
    expect(first.body).toMatchObject({ status: "created" });
    const second = await h.postLead({ email: "ann@example.com", message: "again" });
    expect(second.body).toMatchObject({ status: "updated" });

    const db = new Database(join(h.dataDir, STATE_FILE_NAME), { readonly: true });
    try {
      const rows = db.prepare("SELECT page_id, email, arrived_at_ms, touched_at_ms FROM first_touches").all() as Array<{
        page_id: string;
        email: string;
        arrived_at_ms: number;
        touched_at_ms: number | null;
      }>;
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        page_id: (first.body as { id: string }).id.replaceAll("-", ""),
        email: "ann@example.com",
        touched_at_ms: null,
      });
      expect(rows[0]!.arrived_at_ms).toBeGreaterThanOrEqual(before);
    } finally {
      db.close();
    }
  });
});
