import type { TokenBucket } from "../rate-limit/token-bucket.js";

/** The subset of fetch the Notion SDK calls (its `fetch` option). */
export type SdkFetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string | FormData },
) => Promise<Response>;

export type PacedFetchOptions = {
  bucket: TokenBucket;
  /** Time for one attempt once its token is granted, response body included. */
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
  /** Aborts waiting and in-flight requests at shutdown. */
  signal?: AbortSignal;
  /** Called with each request as it leaves, after its token (for counting). */
  onSend?: (method: string, url: string) => void;
};

/**
 * Every HTTP request to Notion (retries included, since they call this again)
 * first takes a token from the shared bucket. The timeout starts after the
 * token: time spent queueing for the rate limit is not Notion being slow.
 *
 * The timeout is a plain timer on an AbortController, cleared once the body
 * has been read: `AbortSignal.any([AbortSignal.timeout(…), …])` on Node 20
 * holds the timeout signal only weakly, and a garbage collection could make
 * it never fire. The body is read here, inside the timeout, so a response
 * whose body stalls is cut short too.
 */
export function createPacedFetch({
  bucket,
  timeoutMs,
  fetch = globalThis.fetch,
  signal,
  onSend,
}: PacedFetchOptions): SdkFetch {
  return async (url, init = {}) => {
    await bucket.take(signal);
    signal?.throwIfAborted();
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")),
      timeoutMs,
    );
    const onShutdown = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onShutdown, { once: true });
    const method = init.method ?? "GET";
    onSend?.(method, url);
    try {
      const response = await fetch(url, {
        method,
        ...(init.headers && { headers: init.headers }),
        ...(init.body !== undefined && { body: init.body }),
        signal: controller.signal,
      });
      const body = await response.arrayBuffer();
      return new Response(nullBodyStatus(response.status) ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onShutdown);
    }
  };
}

// The Response constructor refuses a body (even an empty one) for these.
function nullBodyStatus(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304;
}
