import type { SlackWebApi } from "../slack/slack-web-api.js";
import { SLACK_TIMEOUT_MS } from "../slack/post-to-slack.js";
import type { ClickPayload } from "../slack/slack-clicks.js";

export type MessageUpdate =
  { ok: true; via: "response_url" | "chat.update" | "none" } | { ok: false; reason: string; permanent: boolean };

/**
 * Changes the clicked message in place: through the click's response_url
 * (replace_original, https://api.slack.com/interactivity/handling#message_responses),
 * else with chat.update on the channel and ts (a response_url lasts 30
 * minutes and 5 uses; a click applied after a long outage outlives it).
 */
export async function updateClickedMessage(
  deps: { api: Pick<SlackWebApi, "post">; fetch?: typeof globalThis.fetch },
  click: ClickPayload,
  message: { text: string; blocks: unknown[] },
): Promise<MessageUpdate> {
  const fetch = deps.fetch ?? globalThis.fetch;
  if (click.responseUrl !== undefined) {
    try {
      const response = await fetch(click.responseUrl, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify({ replace_original: true, text: message.text, blocks: message.blocks }),
        signal: AbortSignal.timeout(SLACK_TIMEOUT_MS),
      });
      await response.text().catch(() => "");
      if (response.ok) return { ok: true, via: "response_url" };
    } catch {
      // Falls through to chat.update, which has its own classification.
    }
  }
  if (click.channelId === undefined || click.messageTs === undefined) return { ok: true, via: "none" };
  const result = await deps.api.post("chat.update", {
    channel: click.channelId,
    ts: click.messageTs,
    text: message.text,
    blocks: message.blocks,
  });
  if (result.ok) return { ok: true, via: "chat.update" };
  return { ok: false, reason: result.reason, permanent: result.permanent };
}
