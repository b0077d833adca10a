import request from "supertest";
import { afterEach, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { createRefusedOrigins } from "../../src/web-form/refused-origins.js";
import { eventually, startCrmHarness, type CrmHarness } from "../support/crm-harness.js";
import { startSlackReceiver } from "../support/slack-receiver.js";
import { FORM_ENV } from "../web-form/form-kit.js";

let h: CrmHarness | undefined;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

it("counts /form posts refused for an unlisted origin durably, and tells the operator which origins", async () => {
  const alerts = await startSlackReceiver();
  stops.push(alerts.stop);
  h = await startCrmHarness({
    env: { ...FORM_ENV, SLACK_ALERTS_WEBHOOK_URL: alerts.url },
    overrides: { alertCheckIntervalMs: 50 },
  });
  const harness = h;
  // A www / non-www slip: the site posts from an origin missing from FORM_ALLOWED_ORIGINS.
  for (let n = 0; n < 3; n++) {
    const answer = await request(harness.server.url)
      .post("/form")
      .set("Origin", "https://www.shop.example.com")
      .type("form")
      .send(`email=real${n}%40example.com`);
    expect(answer.status).toBe(403);
  }
  const db = openStore(harness.dataDir);
  try {
    expect(createRefusedOrigins(db).lastHour()).toEqual([{ origin: "https://www.shop.example.com", refused: 3 }]);
  } finally {
    db.close();
  }
  // Said once when it starts (the alert checks every 50 ms here), then at most hourly while it lasts.
  await eventually(() =>
    expect(alerts.received.map((message) => message.body.text).join("\n")).toMatch(
      /form posts? refused in the last hour.*https:\/\/www\.shop\.example\.com \(\d\)/,
    ),
  );
});
