import { afterEach, beforeEach, expect, it } from "vitest";
import { createSlackOutbox, type SlackOutbox } from "../../src/slack/slack-outbox.js";
import { createSlackSender, type SlackSender } from "../../src/slack/slack-sender.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { captureLogger } from "../support/capture-logger.js";
import { eventually } from "../support/crm-harness.js";
import { startSlackReceiver } from "../support/slack-receiver.js";
import { makeTempDir } from "../support/temp-dir.js";

let dir: ReturnType<typeof makeTempDir>;
let db: Store;
let outbox: SlackOutbox;
let sender: SlackSender | undefined;
const receivers: Array<Awaited<ReturnType<typeof startSlackReceiver>>> = [];
beforeEach(() => {
  dir = makeTempDir();
  db = openStore(dir.path);
  outbox = createSlackOutbox(db);
});
afterEach(async () => {
  await sender?.stop();
  sender = undefined;
  await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
  db.close();
  dir.remove();
});

const texts = (receiver: (typeof receivers)[number]) => receiver.received.map((message) => message.body.text);

it("sends alerts to the alerts URL and sales messages to the sales URL, never crossing", async () => {
  const sales = await startSlackReceiver();
  const alerts = await startSlackReceiver();
  receivers.push(sales, alerts);
  outbox.enqueue({ text: "deal won" });
  outbox.enqueue({ text: "notion refuses creates" }, undefined, "alerts");
  sender = createSlackSender({
    outbox,
    db,
    webhookUrl: sales.url,
    alertsWebhookUrl: alerts.url,
    logger: captureLogger().logger,
    pollIntervalMs: 50,
  });
  sender.start();
  await eventually(() => expect(texts(alerts)).toEqual(["notion refuses creates"]));
  await eventually(() => expect(texts(sales)).toEqual(["deal won"]));
});

it("sends alerts to the sales URL when no alerts URL is set, and logs them when neither is", async () => {
  const sales = await startSlackReceiver();
  receivers.push(sales);
  outbox.enqueue({ text: "backlog" }, undefined, "alerts");
  sender = createSlackSender({ outbox, db, webhookUrl: sales.url, logger: captureLogger().logger, pollIntervalMs: 50 });
  sender.start();
  await eventually(() => expect(texts(sales)).toEqual(["backlog"]));
  await sender.stop();

  const log = captureLogger();
  const { item } = outbox.enqueue({ text: "dead letters" }, undefined, "alerts");
  sender = createSlackSender({ outbox, db, webhookUrl: undefined, logger: log.logger, pollIntervalMs: 50 });
  sender.start();
  await eventually(() => expect(outbox.get(item.id)?.state).toBe("sent"));
  const line = log.lines().find((entry) => entry.msg.startsWith("OPERATOR ALERT"));
  expect(line).toMatchObject({ slack: "dead letters", level: 40 });
});
