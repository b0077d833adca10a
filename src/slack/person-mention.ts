import type { NotionPerson } from "../notion/people-of.js";
import { escapeMrkdwn } from "./escape-mrkdwn.js";
import {
  context,
  section,
  fitToSlackLimits,
  SLACK_TEXT_MAX_CHARS,
  truncateMrkdwn,
  type SlackBlock,
  type SlackMessage,
} from "./slack-message.js";

/** What a person with no name is called. */
export const NAMELESS_PERSON = "someone";

// Escaped user text never holds "<", so a token can only be one we wrote.
const PERSON_TOKEN = /<notion-user:([0-9a-fA-F-]{32,36})>/g;

/**
 * Where a Notion person goes in a message. The outbox keeps the token and the
 * person's name, and the sender decides at send time: a Slack mention
 * (`<@U…>`) in app mode when the person maps to a Slack user, their name
 * otherwise. So one stored message renders for either mode.
 */
export function personToken(person: NotionPerson, people: Record<string, string | null>): string {
  people[person.id] = person.name;
  return `<notion-user:${person.id}>`;
}

/** The Notion people a stored message names, each once. */
export function peopleNamedIn(message: SlackMessage): string[] {
  return Object.keys(message.people ?? {});
}

/**
 * The message as Slack takes it (text and blocks only): each person token
 * becomes `<@U…>` when `slackUserOf` knows them, else their escaped name, else
 * "someone". A message without tokens comes out as it went in.
 */
export function renderForSlack(
  message: SlackMessage,
  slackUserOf: (notionUserId: string) => string | undefined = () => undefined,
): SlackMessage {
  const people = message.people ?? {};
  const fill = (text: string) =>
    text.replace(PERSON_TOKEN, (_token, id: string) => {
      const slackUserId = slackUserOf(id);
      if (slackUserId !== undefined) return `<@${slackUserId}>`;
      const name = people[id];
      return name === undefined || name === null ? NAMELESS_PERSON : escapeMrkdwn(name);
    });
  const rendered: SlackMessage = { text: fill(message.text) };
  if (message.blocks !== undefined) rendered.blocks = message.blocks.map((block) => fillBlock(block, fill));
  // Always fitted, so a message queued before a limit was known is cut rather than refused.
  return fitToSlackLimits(rendered);
}

/**
 * The words of a message's blocks as one plain `text` (sections and context
 * lines, one per line): chat.postMessage's fallback, shown in notifications,
 * says what the blocks say, the owner's mention included.
 */
export function fallbackText(message: SlackMessage): string {
  if (message.blocks === undefined || message.blocks.length === 0) return message.text;
  const lines = message.blocks.flatMap((block) =>
    block.type === "section"
      ? [block.text.text]
      : block.type === "context"
        ? [block.elements.map((element) => element.text).join(" ")]
        : [],
  );
  return truncateMrkdwn(lines.join("\n"), SLACK_TEXT_MAX_CHARS);
}

function fillBlock(block: SlackBlock, fill: (text: string) => string): SlackBlock {
  if (block.type === "section") return section(fill(block.text.text));
  // Rebuilt, so a message stored before verbatim was set gets it too.
  if (block.type === "context") return context(...block.elements.map((element) => fill(element.text)));
  return block;
}
