import type { SlackMessage } from "../../src/slack/slack-message.js";

const BOLD = "\u001b[1m";
const DIM = "\u001b[2m";
const RESET = "\u001b[0m";

/** A Slack message roughly as Slack shows it, for a terminal: bold, links as "label (url)", entities decoded. */
export function renderSlackMessage(
  message: SlackMessage,
  { color = true, users = {} }: { color?: boolean; users?: Record<string, string> } = {},
): string {
  const style = (code: string, text: string) => (color ? `${code}${text}${RESET}` : text);
  // A mention shows as the person's name, as Slack shows it.
  const mentions = (text: string) =>
    text.replace(/<@([A-Z0-9]+)>/g, (_all, id: string) => style(BOLD, `@${users[id] ?? id}`));
  const lines = (
    message.blocks ?? [{ type: "section" as const, text: { type: "mrkdwn" as const, text: message.text } }]
  ).flatMap((block) => {
    if (block.type === "section") return [mrkdwnToTerminal(mentions(block.text.text), style)];
    if (block.type === "context")
      return [style(DIM, block.elements.map((element) => mrkdwnToTerminal(mentions(element.text), style)).join("  "))];
    if (block.type === "actions")
      return [block.elements.map((button) => style(BOLD, `[ ${button.text.text} ]`)).join(" ")];
    return ["────────"];
  });
  return lines.map((line) => `  │ ${line.replaceAll("\n", "\n  │ ")}`).join("\n");
}

function mrkdwnToTerminal(text: string, style: (code: string, text: string) => string): string {
  return text
    .replace(/<([^|>]+)\|([^>]+)>/g, (_all, url: string, label: string) => `${label} (${url})`)
    .replace(/\*([^*\n]+)\*/g, (_all, bold: string) => style(BOLD, bold))
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}
