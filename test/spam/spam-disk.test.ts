import { afterEach, expect, it } from "vitest";
import { createLeadQueue } from "../../src/leads/lead-queue.js";
import { openStore } from "../../src/store/open-store.js";
import { stateFileBytes } from "../../scripts/lib/state-file-bytes.js";
import { startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { browserPost, FORM_ENV } from "../web-form/form-kit.js";

const POSTS = 2_000;
const CONCURRENT = 25;
/** Each bot post carries a 16 KiB message: 32 MB in all if bodies were kept. */
const MESSAGE = "x".repeat(16 * 1024);

let h: CrmHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

it("a flood of 2,000 honeypot posts grows the state file by under 1 MB: spam is counted, its body never kept", async () => {
  h = await startCrmHarness({ env: FORM_ENV });
  const harness = h;
  const before = stateFileBytes(harness.dataDir);
  for (let sent = 0; sent < POSTS; sent += CONCURRENT) {
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, index) =>
        browserPost(harness, {
          email: `bot${sent + index}@spam.example`,
          message: `${MESSAGE}${sent + index}`,
          _gotcha: "filled by a bot",
        }),
      ),
    );
    // Answered exactly like a success (the built-in thank-you page).
    expect(answers.map((answer) => answer.status)).toEqual(Array(CONCURRENT).fill(200));
  }
  const grown = stateFileBytes(harness.dataDir) - before;
  expect(grown).toBeLessThan(1024 * 1024);

  const db = openStore(harness.dataDir);
  try {
    const queue = createLeadQueue(db);
    expect(queue.counts()).toEqual({ spam: POSTS });
    // What a spam row keeps: its key (a hash, for the same-submission rule), never the body or the address.
    const [row] = queue.list("spam", 1);
    expect(row?.idempotencyKey).toMatch(/^form:/);
    expect(JSON.stringify(row?.lead)).not.toContain(MESSAGE.slice(0, 100));
    expect(row?.email).toBe("");
  } finally {
    db.close();
  }
  expect(harness.contacts()).toHaveLength(0);
});
