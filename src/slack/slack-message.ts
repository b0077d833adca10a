/** Slack's limits: a section's text, a message's text, blocks in a message. */
export const SLACK_SECTION_MAX_CHARS = 3_000;
export const SLACK_TEXT_MAX_CHARS = 40_000;
export const SLACK_MAX_BLOCKS = 50;

/** A Block Kit button (https://api.slack.com/reference/block-kit/block-elements#button). */
export type SlackButton = {
  type: "button";
  text: { type: "plain_text"; text: string };
  action_id: string;
  value?: string;
  url?: string;
  style?: "primary" | "danger";
};

/**
 * A mrkdwn text object. `verbatim: true`: Slack does not turn a literal
 * `@here`, `#channel` or bare URL in it into a mention or link; our own
 * mentions (`<@U…>`) and links (`<url|text>`) still work.
 * https://api.slack.com/reference/block-kit/composition-objects#text
 */
export type MrkdwnText = { type: "mrkdwn"; text: string; verbatim: true };

export type SlackBlock =
  | { type: "section"; text: MrkdwnText; block_id?: string }
  | { type: "context"; elements: MrkdwnText[]; block_id?: string }
  | { type: "actions"; elements: SlackButton[]; block_id?: string }
  | { type: "divider" };

/**
 * What the outbox keeps. `text` is the notification fallback and `blocks`
 * the layout, as an incoming webhook and chat.postMessage take them; `people`
 * names the Notion people whose tokens the text holds (see person-mention.ts);
 * `dm` sends it, in app mode only, to that Notion person's Slack user instead
 * of the channel.
 */
export type SlackMessage = {
  text: string;
  blocks?: SlackBlock[];
  people?: Record<string, string | null>;
  dm?: { notionUserId: string };
  /**
   * A file shared with the message in app mode (the report's chart); an
   * incoming webhook cannot carry one, so there it is left out.
   */
  file?: SlackFile;
};

export type SlackFile = {
  filename: string;
  title: string;
  contentBase64: string;
  /** Set on a file that follows its message (SLACK_CHANNEL given by name): the channel id Slack answered with. */
  channelId?: string;
};

// Every text object we build may hold text that came from users (a deal's or a person's name, a message).
export const section = (text: string): SlackBlock => ({ type: "section", text: mrkdwn(text) });
export const context = (...texts: string[]): SlackBlock => ({ type: "context", elements: texts.map(mrkdwn) });
const mrkdwn = (text: string): MrkdwnText => ({ type: "mrkdwn", text, verbatim: true });

/** Trims a message to Slack's limits so it is never refused as invalid_payload for its size. */
export function fitToSlackLimits(message: SlackMessage): SlackMessage {
  const fitted: SlackMessage = { ...message, text: truncateMrkdwn(message.text, SLACK_TEXT_MAX_CHARS) };
  if (message.blocks !== undefined) {
    fitted.blocks = message.blocks.slice(0, SLACK_MAX_BLOCKS).map((block) => {
      if (block.type === "section")
        return { ...block, text: { ...block.text, text: truncateMrkdwn(block.text.text, SLACK_SECTION_MAX_CHARS) } };
      // A context element's text has the same 3,000-character limit (Slack refuses the message otherwise).
      if (block.type === "context")
        return {
          ...block,
          elements: block.elements.map((element) => ({
            ...element,
            text: truncateMrkdwn(element.text, SLACK_SECTION_MAX_CHARS),
          })),
        };
      return block;
    });
  }
  return fitted;
}

/**
 * Cuts mrkdwn to `max` characters with an ellipsis, never leaving half an
 * entity (`&am`) or half a link (`<https://…`) behind.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  cut = cut.replace(/&[a-z]{0,4}$/, "");
  const open = cut.lastIndexOf("<");
  if (open > cut.lastIndexOf(">")) cut = cut.slice(0, open);
  return `${cut}…`;
}
