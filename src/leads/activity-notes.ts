import type { LeadContext } from "./lead.js";

/**
 * The Notes of a lead's Activities row: the message, preceded by a warning
 * when the lead looks like spam and followed by where it came from (form
 * service, UTM medium and campaign, page). A plain /lead keeps the message
 * alone, as before.
 */
export function activityNotes({
  message,
  context = {},
}: {
  message?: string | undefined;
  context?: LeadContext | undefined;
}): string | undefined {
  const warning = context.flags?.length
    ? `⚠ Flagged as possible spam: ${context.flags.join("; ")}. Check before replying.`
    : undefined;
  const origin = [
    context.via && `Form: ${context.via}`,
    context.utm_source && `utm_source (not used as Source): ${context.utm_source}`,
    context.utm_medium && `utm_medium: ${context.utm_medium}`,
    context.utm_campaign && `utm_campaign: ${context.utm_campaign}`,
    context.page_url && `Page: ${context.page_url}`,
  ].filter((line): line is string => typeof line === "string" && line !== "");
  const parts = [warning, message, origin.length > 0 ? origin.join("\n") : undefined].filter(
    (part): part is string => part !== undefined,
  );
  return parts.length > 0 ? parts.join("\n\n") : undefined;
}
