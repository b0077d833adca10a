/** How every email address is compared and stored: trimmed and lower-cased (`Ann@X.com ` is `ann@x.com`). */
export function normalizeEmail(address: string): string {
  return address.trim().toLowerCase();
}
