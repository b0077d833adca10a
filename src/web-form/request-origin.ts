/**
 * The origin a browser says the submission comes from: the `Origin` header,
 * or when it is absent the origin of `Referer`. Undefined when neither says.
 */
export function requestOrigin(header: (name: string) => string | undefined): string | undefined {
  const origin = header("origin")?.trim();
  if (origin) return origin;
  const referer = header("referer")?.trim();
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    return url.origin === "null" ? undefined : url.origin;
  } catch {
    return undefined;
  }
}
