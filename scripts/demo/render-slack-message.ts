import type { SlackMessage } from "../../src/slack/slack-message.js";

const BOLD = "\u001b[1m";
const DIM = "\u001b[2m";
const RESET = "\u001b[0m";

/** A Slack message roughly as Slack shows it, for a terminal: bold, links as "label (url)", entities decoded. */
export function renderSlackMessage(message: SlackMessage, { color = true } = {}): string {
  const style = (code: string, text: string) => (color ? `${code}${text}${RESET}` : text);
  const lines = (
    message.blocks ?? [{ type: "section" as const, text: { type: "mrkdwn" as const, text: message.text } }]
  ).flatMap((block) => {
    if (block.type === "section") return [mrkdwnToTerminal(block.text.text, style)];
    if (block.type === "context")
      return [style(DIM, block.elements.map((element) => mrkdwnToTerminal(element.text, style)).join("  "))];
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
