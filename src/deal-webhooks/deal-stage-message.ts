import { DEAL_STAGE } from "../crm-schema/crm-schema.js";
import type { NotionPerson } from "../notion/people-of.js";
import { escapeMrkdwn, mrkdwnLink } from "../slack/escape-mrkdwn.js";
import { mrkdwnBold } from "../slack/mrkdwn-bold.js";
import { personToken } from "../slack/person-mention.js";
import { context, fitToSlackLimits, section, type SlackMessage } from "../slack/slack-message.js";

/** The stages worth telling the team about, each in its own words. */
export const NOTIFY_STAGES = {
  [DEAL_STAGE.won]: { emoji: "🎉", headline: "Deal won" },
  [DEAL_STAGE.lost]: { emoji: "💔", headline: "Deal lost" },
  [DEAL_STAGE.negotiation]: { emoji: "🤝", headline: "Deal in negotiation" },
} as const;
export type NotifyStage = keyof typeof NOTIFY_STAGES;

/** Stage option names are typed by people: "Won" and " won" are won. */
export function notifyStageOf(stage: string | undefined): NotifyStage | undefined {
  const key = stage?.trim().toLowerCase();
  return key !== undefined && key in NOTIFY_STAGES ? (key as NotifyStage) : undefined;
}

export type DealTransition = {
  dealName: string;
  /** The stage it left: undefined for a new deal, "unknown" when first seen mid-life. */
  from: string | undefined;
  to: string;
  value: string;
  /** The deal's Owner: a person is mentioned in Slack app mode when they map to a Slack user, named otherwise. */
  owners: readonly (string | NotionPerson)[];
  url: string;
};

/** "🎉 Deal won: *Acme* — $12,000 (negotiation → won)", with owner and a link; every user string escaped. */
export function dealStageMessage(transition: DealTransition): SlackMessage {
  const stage = notifyStageOf(transition.to);
  const { emoji, headline } =
    stage === undefined ? { emoji: "📌", headline: "Deal stage changed" } : NOTIFY_STAGES[stage];
  const line = `${emoji} ${headline}: ${dealSummary(transition)}`;
  const people: Record<string, string | null> = {};
  const owners = transition.owners.map((owner) =>
    typeof owner === "string" ? escapeMrkdwn(owner) : personToken(owner, people),
  );
  const details = [
    ...(owners.length > 0 ? [`Owner: ${owners.join(", ")}`] : []),
    mrkdwnLink(transition.url, "Open in Notion"),
  ];
  return fitToSlackLimits({
    text: line,
    blocks: [section(line), context(details.join(" · "))],
    ...(Object.keys(people).length > 0 && { people }),
  });
}

/** The direct message a deal's owner gets (Slack app mode): their deal, where it went, and the link. */
export function ownerDealMessage(transition: DealTransition, owner: NotionPerson): SlackMessage {
  const stage = notifyStageOf(transition.to);
  const emoji = stage === undefined ? "📌" : NOTIFY_STAGES[stage].emoji;
  const line = `${emoji} Your deal is in ${escapeMrkdwn(transition.to)}: ${dealSummary(transition)}`;
  return fitToSlackLimits({
    text: line,
    blocks: [section(line), context(mrkdwnLink(transition.url, "Open in Notion"))],
    dm: { notionUserId: owner.id },
  });
}

function dealSummary(transition: DealTransition): string {
  const name = mrkdwnBold(transition.dealName.trim() || "Untitled deal");
  const from = transition.from === undefined ? "new deal" : escapeMrkdwn(transition.from);
  return `${name} — ${escapeMrkdwn(transition.value)} (${from} → ${escapeMrkdwn(transition.to)})`;
}
