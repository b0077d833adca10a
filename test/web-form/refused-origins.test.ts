import request from "supertest";
import { afterEach, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { createRefusedOrigins, MAX_ORIGINS_PER_HOUR, OTHER_ORIGINS } from "../../src/web-form/refused-origins.js";
import { makeTempDir } from "../support/temp-dir.js";
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

it("names at most MAX_ORIGINS_PER_HOUR origins an hour: a flood of made-up origins grows no table", () => {
  const dir = makeTempDir();
  const db = openStore(dir.path);
  try {
    const origins = createRefusedOrigins(db, () => Date.UTC(2026, 11, 6, 10, 30));
    origins.record("https://www.shop.example.com");
    for (let n = 0; n < 500; n++) origins.record(`https://made-up-${n}.example`);
    origins.record("https://www.shop.example.com");
    const rows = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM form_refused_origins").get()!.n;
    expect(rows).toBe(MAX_ORIGINS_PER_HOUR);
    const counted = origins.lastHour();
    // An origin named before the flood keeps its own count; the rest are counted together.
    expect(counted).toContainEqual({ origin: "https://www.shop.example.com", refused: 2 });
    expect(counted).toContainEqual({ origin: OTHER_ORIGINS, refused: 500 - (MAX_ORIGINS_PER_HOUR - 2) });
  } finally {
    db.close();
    dir.remove();
  }
});
