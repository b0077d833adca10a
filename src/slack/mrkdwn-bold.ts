import { escapeMrkdwn } from "./escape-mrkdwn.js";

// Slack's mrkdwn has no escape for its emphasis marks: a `*` inside `*…*`
// ends the bold early. Inside bold, each is shown by a look-alike instead.
const LOOK_ALIKES: Record<string, string> = { "*": "∗", _: "＿", "~": "∼", "`": "ˋ" };

/** User text as one bold piece of mrkdwn, escaped, that renders as typed whatever marks it holds. */
export function mrkdwnBold(text: string): string {
  return `*${escapeMrkdwn(text).replace(/[*_~`]/g, (mark) => LOOK_ALIKES[mark]!)}*`;
}
