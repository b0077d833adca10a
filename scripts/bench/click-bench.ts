import { leadBlockId, leadButtons } from "../../src/slack/lead-buttons.js";
import { postSignedLead } from "../lib/signed-post.js";
import { blockActionsPayload, postSlackInteraction, signSlackInteraction } from "../lib/slack-interaction.js";
import { startSlackWebApiFake, type PostedSlackMessage } from "../lib/slack-web-api-fake.js";
import { waitUntil } from "../lib/wait-until.js";
import { BENCH_FORM_SECRET, startBenchCrm } from "./bench-crm.js";
import { fixed, percentile } from "./measure.js";

const LIMIT_PER_SECOND = 3;
const SATURATING_LEADS = 60;
const CLICKS = 100;
const QUIET_CLICKS = 10;
const ANSWER_GOAL_MS = 100;
const CALLS_GOAL = 2;
const SIGNING_SECRET = "bench-slack-signing-secret";

/**
 * Clicks on Contacted, as Slack posts them, while 60 leads hold Notion's
 * budget (3 req/s) for half a minute: how long Slack waits for its 200
 * (goal < 100 ms: the click is stored, not applied, before the answer); then
 * Notion calls per Contacted click with Activities on, with Notion quiet.
 */
export async function clickBench(): Promise<string[]> {
  const bench = await startBenchCrm(LIMIT_PER_SECOND * 60);
  const slack = await startSlackWebApiFake();
  try {
    const server = await bench.startServer({
      SLACK_BOT_TOKEN: slack.token,
      SLACK_CHANNEL: "C0SALES0001",
      SLACK_API_URL: slack.url,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      NEW_LEAD_ALERTS: "off",
    });
    const contacts = Array.from({ length: CLICKS + QUIET_CLICKS }, (_, i) =>
      bench.emulator.admin.insertPage(bench.crm.contacts.dataSourceId, {
        Name: { title: [{ text: { content: `Clicked ${i}` } }] },
        Email: { email: `clicked${i}@example.com` },
        Status: { select: { name: "new lead" } },
      }),
    );
    const messageOf = (pageId: string, i: number): PostedSlackMessage => ({
      channel: "C0SALES0001",
      channelId: "C0SALES0001",
      ts: `${Math.floor(Date.now() / 1000)}.${String(i).padStart(6, "0")}`,
      text: "New lead",
      blocks: [leadButtons(pageId, ["contacted", "not_a_fit"]) as unknown as Record<string, unknown>],
      at: Date.now(),
    });
    const clickOn = (pageId: string, i: number) => {
      const message = messageOf(pageId, i);
      const button = { action_id: "crm_lead_contacted", value: pageId, block_id: leadBlockId(pageId) };
      return signSlackInteraction(
        blockActionsPayload({ message, button, responseUrl: slack.responseUrl() }),
        SIGNING_SECRET,
      );
    };

    // Saturate: the lead queue takes every token Notion gives for a while.
    const leads = Promise.all(
      Array.from({ length: SATURATING_LEADS }, (_, i) =>
        postSignedLead(server.url, { email: `load${i}@example.com`, name: `Load ${i}` }, BENCH_FORM_SECRET),
      ),
    );
    const times: number[] = [];
    const statuses = new Set<number>();
    for (const [i, contact] of contacts.slice(0, CLICKS).entries()) {
      const signed = clickOn(contact.id, i);
      const started = performance.now();
      const answer = await postSlackInteraction(server.url, signed);
      times.push(performance.now() - started);
      statuses.add(answer.status);
    }
    await leads;
    await waitUntil(() => slack.updated.length >= CLICKS, {
      what: "the saturated clicks to apply",
      timeoutMs: 300_000,
    });

    // Quiet: nothing else asks Notion, so every call counted is a click's.
    await waitUntil(
      () => bench.emulator.admin.listPages(bench.crm.activities.dataSourceId).length >= SATURATING_LEADS + CLICKS,
      { what: "the leads to drain", timeoutMs: 300_000 },
    );
    bench.emulator.stats.reset();
    for (const [i, contact] of contacts.slice(CLICKS).entries())
      await postSlackInteraction(server.url, clickOn(contact.id, CLICKS + i));
    await waitUntil(() => slack.updated.length >= CLICKS + QUIET_CLICKS, {
      what: "the quiet clicks",
      timeoutMs: 120_000,
    });
    const perClick = bench.emulator.stats.requests.length / QUIET_CLICKS;
    const p99 = percentile(times, 99);
    return [
      `Contacted clicks (POST /slack/actions) while ${SATURATING_LEADS} leads saturate an emulator limited to ${LIMIT_PER_SECOND} req/s`,
      `  answer p50 ${fixed(percentile(times, 50), 1)} ms, p99 ${fixed(p99, 1)} ms = ${fixed(p99 / ANSWER_GOAL_MS)}x the ${ANSWER_GOAL_MS} ms goal (statuses ${[...statuses].join(", ")})`,
      `  Notion calls per Contacted click with Activities (quiet): ${fixed(perClick)} = ${fixed(perClick / CALLS_GOAL)}x the goal of ${CALLS_GOAL}`,
    ];
  } finally {
    await bench.stop();
    await slack.stop();
  }
}
