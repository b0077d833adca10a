import { z } from "zod";
import { parseLeadAction } from "../slack/lead-buttons.js";
import type { ClickPayload } from "../slack/slack-clicks.js";

// The parts of Slack's block_actions payload this server reads
// (https://api.slack.com/reference/interaction-payloads/block-actions); the rest is ignored.
const blockActionsSchema = z.object({
  type: z.literal("block_actions"),
  team: z.object({ id: z.string().min(1) }).nullable(),
  user: z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() }),
  container: z.object({ message_ts: z.string().optional(), channel_id: z.string().optional() }).optional(),
  channel: z.object({ id: z.string() }).optional(),
  message: z.object({ ts: z.string().optional(), blocks: z.array(z.unknown()).optional() }).optional(),
  response_url: z.url().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional(), type: z.string().optional() })),
});

export type ParsedInteraction =
  | { kind: "clicks"; teamId: string; clicks: ClickPayload[] }
  | { kind: "other"; type: string }
  | { kind: "invalid"; reason: string };

/**
 * An interaction's `payload` form field (application/x-www-form-urlencoded)
 * as the clicks on our lead buttons it holds. Other interactions (a link
 * button, a shortcut) are `other`: answered, and nothing is done.
 */
export function parseBlockActions(rawBody: Buffer, nowMs: number): ParsedInteraction {
  const field = new URLSearchParams(rawBody.toString("utf8")).get("payload");
  if (field === null) return { kind: "invalid", reason: "no payload field" };
  let json: unknown;
  try {
    json = JSON.parse(field);
  } catch {
    return { kind: "invalid", reason: "payload is not JSON" };
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (type !== "block_actions") return { kind: "other", type: typeof type === "string" ? type : "unknown" };
  const parsed = blockActionsSchema.safeParse(json);
  if (!parsed.success) return { kind: "invalid", reason: "not a block_actions payload Slack would send" };
  const p = parsed.data;
  const teamId = p.team?.id ?? "";
  const clicks = p.actions.flatMap((action): ClickPayload[] => {
    const lead = parseLeadAction(action.action_id, action.value);
    if (lead === undefined) return [];
    return [
      {
        ...lead,
        teamId,
        userId: p.user.id,
        userName: p.user.name ?? p.user.username,
        channelId: p.channel?.id ?? p.container?.channel_id,
        messageTs: p.container?.message_ts ?? p.message?.ts,
        responseUrl: p.response_url,
        blocks: p.message?.blocks,
        clickedAtMs: nowMs,
      },
    ];
  });
  return { kind: "clicks", teamId, clicks };
}

/** A double click or Slack's retry of one click has the same message, action and lead: stored once. */
export function clickKey(click: ClickPayload): string {
  return `${click.messageTs ?? "no-message"}:${click.action}:${click.pageId.replaceAll("-", "")}`;
}
