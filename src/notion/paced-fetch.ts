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
    const timeout = AbortSignal.timeout(timeoutMs);
    const method = init.method ?? "GET";
    onSend?.(method, url);
    return fetch(url, {
      method,
      ...(init.headers && { headers: init.headers }),
      ...(init.body !== undefined && { body: init.body }),
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    });
  };
}
