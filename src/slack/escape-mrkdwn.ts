/**
 * Slack mrkdwn treats `<…>` as links and mentions (`<!channel>`,
 * `<https://evil|bank>`) and `&` as the start of an entity. Text that came
 * from users is escaped so it can only ever be text.
 * https://api.slack.com/reference/surfaces/formatting#escaping
 */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A link whose label came from users; the URL is ours (a Notion page). */
export function mrkdwnLink(url: string, label: string): string {
  return `<${url.replaceAll("|", "%7C").replaceAll(">", "%3E")}|${escapeMrkdwn(label).replaceAll("|", "¦")}>`;
}
