export type FormAnswer = { status: number; location: string | null; text: string; ms: number };

/** POST /form as a browser's plain HTML form sends it: urlencoded, with its page's Origin. */
export async function postBrowserForm(
  url: string,
  fields: Record<string, string>,
  origin: string,
): Promise<FormAnswer> {
  const started = performance.now();
  const response = await fetch(`${url}/form`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin, accept: "text/html" },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
  const text = await response.text();
  return { status: response.status, location: response.headers.get("location"), text, ms: performance.now() - started };
}
