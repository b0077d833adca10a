// A click on a button, as Slack sends it to an app's Interactivity Request URL:
// a block_actions payload (https://api.slack.com/reference/interaction-payloads/block-actions)
// in the `payload` field of an application/x-www-form-urlencoded body, signed
// as https://api.slack.com/authentication/verifying-requests-from-slack says.
// Shared by the tests and the demo; it signs with node:crypto on its own,
// independently of the server's verification.
import { createHmac } from "node:crypto";
import type { PostedSlackMessage } from "./slack-web-api-fake.js";

export type ClickedButton = {
  action_id: string;
  value?: string;
  block_id?: string;
  text?: { type: string; text: string };
};

/** The buttons a posted message carries, in order. */
export function buttonsOf(message: PostedSlackMessage): ClickedButton[] {
  return (message.blocks ?? []).flatMap((block) =>
    block["type"] === "actions"
      ? (block["elements"] as ClickedButton[]).map((button) => ({ ...button, block_id: String(block["block_id"]) }))
      : [],
  );
}

/** The button with this label (and, for a message listing several leads, this value). */
export function buttonLabelled(message: PostedSlackMessage, label: string, value?: string): ClickedButton {
  const found = buttonsOf(message).find(
    (button) => button.text?.text === label && (value === undefined || button.value === value),
  );
  if (found === undefined) throw new Error(`no button "${label}" in the message`);
  return found;
}

export function blockActionsPayload({
  message,
  button,
  userId = "U0DANA0001",
  userName = "dana",
  teamId = "T0ACME0001",
  responseUrl,
}: {
  message: PostedSlackMessage;
  button: ClickedButton;
  userId?: string;
  userName?: string;
  teamId?: string;
  responseUrl?: string;
}): Record<string, unknown> {
  const channelId = message.channelId ?? message.channel;
  return {
    type: "block_actions",
    user: { id: userId, username: userName, name: userName, team_id: teamId },
    api_app_id: "A0CRMAPP01",
    token: "verification-token-deprecated",
    container: { type: "message", message_ts: message.ts, channel_id: channelId, is_ephemeral: false },
    trigger_id: "1234567890123.1234567890123.abcdef0123456789abcdef0123456789",
    team: { id: teamId, domain: "acme" },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: "sales" },
    message: {
      type: "message",
      bot_id: "B0BOT00001",
      text: message.text,
      user: "U0BOT00001",
      ts: message.ts,
      blocks: message.blocks ?? [],
    },
    state: { values: {} },
    ...(responseUrl !== undefined && { response_url: responseUrl }),
    actions: [{ ...button, type: "button", action_ts: `${Date.now() / 1000}` }],
  };
}

/** The form body and the two headers Slack sends with it. */
export function signSlackInteraction(
  payload: Record<string, unknown>,
  signingSecret: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): { body: string; headers: Record<string, string> } {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(timestampSeconds);
  const signature = `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return {
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signature,
    },
  };
}

/** POSTs a signed interaction to the server's /slack/actions, as Slack does. */
export async function postSlackInteraction(
  serverUrl: string,
  signed: { body: string; headers: Record<string, string> },
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${serverUrl}/slack/actions`, {
    method: "POST",
    headers: signed.headers,
    body: signed.body,
  });
  return { status: response.status, text: await response.text() };
}
