const LINK =
  /(?:https?:\/\/|www\.|\b[a-z0-9-]+\.(?:com|net|org|info|biz|io|co|ru|cn|xyz|top|site|online|click|link)\b)/i;
// Slack mrkdwn: <url|text>, <!channel>, <@U123>, *bold*, _italic_, ~strike~, `code`.
const MRKDWN = /[<>*`~|]|(?:^|\s)_\S(?:.*\S)?_(?:\s|$)/;
const MENTION = /@(?:channel|here|everyone)\b/i;

/**
 * Why a lead looks like spam, or nothing. Such leads are flagged, never
 * dropped: a real person may paste a link into the wrong box, and a lost
 * lead costs more than a spam row someone archives.
 */
export function suspicionsOf(lead: { name?: string | undefined }): string[] {
  const name = lead.name ?? "";
  const reasons: string[] = [];
  if (LINK.test(name)) reasons.push("a link in the name");
  if (MRKDWN.test(name)) reasons.push("Slack formatting in the name");
  if (MENTION.test(name)) reasons.push("a Slack mention in the name");
  return reasons;
}
