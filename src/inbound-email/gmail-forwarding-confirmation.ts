import type { ParsedEmail } from "./inbound-email.js";

/** Where Gmail sends its forwarding confirmation from. */
export const GMAIL_FORWARDING_SENDER = "forwarding-noreply@google.com";
/** The confirmation link in its text; clicking it allows the forwarding. */
const CONFIRMATION_LINK = /https:\/\/mail(?:-settings)?\.google\.com\/mail\/[^\s<>"']*vf-[^\s<>"']+/;

export type ForwardingConfirmation = { subject: string; link: string | undefined };

/**
 * Gmail's "Gmail Forwarding Confirmation" mail, which arrives at the CRM's
 * address when someone adds it as a forwarding address: it is not an email
 * to log but a link an operator must click. Undefined for any other email.
 */
export function gmailForwardingConfirmation(email: ParsedEmail): ForwardingConfirmation | undefined {
  if (email.from !== GMAIL_FORWARDING_SENDER) return undefined;
  if (!/forwarding confirmation/i.test(email.subject)) return undefined;
  return { subject: email.subject, link: email.text?.match(CONFIRMATION_LINK)?.[0] };
}
