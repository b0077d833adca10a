export type OriginsParse = { ok: true; origins: string[] } | { ok: false; error: string };

/**
 * Reads FORM_ALLOWED_ORIGINS: origins separated by commas, each as a browser
 * sends it in `Origin` (scheme, host and a port only when not the default).
 * A trailing slash is forgiven; a path is not, since `Origin` never has one.
 */
export function parseOrigins(text: string): OriginsParse {
  const origins: string[] = [];
  for (const item of text.split(",").map((part) => part.trim())) {
    if (item === "") continue;
    const origin = originOf(item);
    if (origin === undefined)
      return {
        ok: false,
        error: `has "${item}", which is not an origin such as https://example.com (scheme, host and port; no path)`,
      };
    if (!origins.includes(origin)) origins.push(origin);
  }
  if (origins.length === 0) return { ok: false, error: "names no origin; list them like https://example.com" };
  return { ok: true, origins };
}

function originOf(item: string): string | undefined {
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    return undefined;
  }
  const bare = url.pathname === "/" && url.search === "" && url.hash === "" && url.username === "";
  if (!bare || (url.protocol !== "https:" && url.protocol !== "http:")) return undefined;
  return url.origin;
}
