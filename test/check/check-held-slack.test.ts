import { afterEach, beforeEach, expect, it } from "vitest";
import { runChecks } from "../../src/check/run-checks.js";
import { jobsCommand } from "../../src/jobs/jobs-command.js";
import { createSlackOutbox } from "../../src/slack/slack-outbox.js";
import { openStore } from "../../src/store/open-store.js";
import { makeTempDir } from "../support/temp-dir.js";

const SLACK_URL = "https://hooks.slack.com/services/T0001/B0001/check-test-slack-secret";

let dir: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => {
  dir.remove();
});

/** Two Slack messages held, as the sender leaves them when Slack refuses the webhook. */
function holdTwo(): void {
  const db = openStore(dir.path);
  try {
    const outbox = createSlackOutbox(db);
    for (const text of ["deal won", "deal lost"]) outbox.hold(outbox.enqueue({ text }).item.id, "HTTP 404 no_service");
  } finally {
    db.close();
  }
}
const heldCount = () => {
  const db = openStore(dir.path);
  try {
    return createSlackOutbox(db).heldCount();
  } finally {
    db.close();
  }
};

it("releases the held Slack messages once its Slack checks pass", async () => {
  holdTwo();
  const results = await runChecks({ DATA_DIR: dir.path, SLACK_WEBHOOK_URL: SLACK_URL }, { envFile: false });
  expect(results).toContainEqual({
    name: "Slack messages",
    outcome: "pass",
    detail: "2 held since Slack refused them are released: the server sends them within seconds",
  });
  expect(heldCount()).toBe(0);
});

it("keeps them held, saying so, while a Slack check fails", async () => {
  holdTwo();
  const results = await runChecks(
    { DATA_DIR: dir.path, SLACK_WEBHOOK_URL: "https://hooks.slack.com/not-a-webhook" },
    { envFile: false },
  );
  expect(results.find((result) => result.name === "Slack messages")).toMatchObject({ outcome: "warn" });
  expect(heldCount()).toBe(2);
});

it("`npm run jobs -- retry-slack` with no id releases them too", () => {
  holdTwo();
  const printed: string[] = [];
  const code = jobsCommand(
    ["retry-slack"],
    { DATA_DIR: dir.path, NOTION_HOLD_RETRY_SECONDS: 600 },
    {
      print: (line) => printed.push(line),
    },
  );
  expect(code).toBe(0);
  expect(printed).toEqual(["released 2 held Slack messages; the running server sends them within seconds"]);
  expect(heldCount()).toBe(0);
});
