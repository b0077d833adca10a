import type { ParsedEmail } from "./inbound-email.js";

/**
 * What an email means for the CRM:
 * - sent: From is on the team's domains; the contacts are the To and Cc
 *   addresses outside the team;
 * - received: From is outside the team; the contact is the sender;
 * - internal: only team addresses (nothing to log).
 */
export type EmailDirection = { direction: "sent" | "received" | "internal"; addresses: string[] };

/** An address on one of the domains, or a subdomain of one (`eu.acme.com` is on `acme.com`). */
export function isTeamAddress(address: string, teamDomains: readonly string[]): boolean {
  const domain = address.slice(address.lastIndexOf("@") + 1);
  return teamDomains.some((team) => domain === team || domain.endsWith(`.${team}`));
}

export function emailDirection(email: ParsedEmail, teamDomains: readonly string[]): EmailDirection {
  const from = email.from ?? "";
  if (!isTeamAddress(from, teamDomains)) return { direction: "received", addresses: [from] };
  const outside = [...new Set([...email.to, ...email.cc])].filter((address) => !isTeamAddress(address, teamDomains));
  return outside.length === 0 ? { direction: "internal", addresses: [] } : { direction: "sent", addresses: outside };
}
