import type { RequestWindow } from "../rate-limit/request-window.js";
import { CONNECTION_BLOCKED_REASON, retryAfterOf } from "./classify-failure.js";

/** The subset of fetch the Notion SDK calls (its `fetch` option). */
export type SdkFetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string | FormData },
) => Promise<Response>;

export type PacedFetchOptions = {
  limiter: Pick<RequestWindow, "take" | "pauseUntil">;
  /** Time for one attempt once the limiter lets it go, response body included. */
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
  /** Aborts waiting and in-flight requests at shutdown. */
  signal?: AbortSignal;
  /** Aborts only requests still waiting for the limiter: what has left is answered (Ctrl-C during an import). */
  stopWaiting?: AbortSignal;
  /** Called with each request as it leaves, after the limiter (for counting). */
  onSend?: (method: string, url: string) => void;
  now?: () => number;
};

/**
 * Every HTTP request to Notion (retries included, since they call this again)
 * first passes the shared limiter. The timeout starts after it: time spent
 * queueing for the rate limit is not Notion being slow. A 429 or 529 that
 * says how long to wait pauses the limiter, so every process waits, not only
 * the caller that was told.
 *
 * The timeout is a plain timer on an AbortController, cleared once the body
 * has been read: `AbortSignal.any([AbortSignal.timeout(…), …])` on Node 20
 * holds the timeout signal only weakly, and a garbage collection could make
 * it never fire. The body is read here, inside the timeout, so a response
 * whose body stalls is cut short too.
 */
export function createPacedFetch({
  limiter,
  timeoutMs,
  fetch = globalThis.fetch,
  signal,
  stopWaiting,
  onSend,
  now = Date.now,
}: PacedFetchOptions): SdkFetch {
  const waitSignal = anyOf(signal, stopWaiting);
  return async (url, init = {}) => {
    const settle = await limiter.take(waitSignal);
    waitSignal?.throwIfAborted();
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
      if (response.status === 429 || response.status === 529) pauseFor(response, body);
      return new Response(nullBodyStatus(response.status) ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } finally {
      // Answered, failed or cut short: Notion can have counted it no later than now.
      settle();
      clearTimeout(timer);
      signal?.removeEventListener("abort", onShutdown);
    }
  };

  function pauseFor(response: Response, body: ArrayBuffer): void {
    const data = additionalDataOf(body);
    const reason =
      typeof data["rate_limit_reason"] === "string" ? data["rate_limit_reason"] : `HTTP ${response.status}`;
    // A blocked connection is not a wait: the gateway stops that work instead.
    if (reason === CONNECTION_BLOCKED_REASON) return;
    const waitMs = retryAfterOf(response.headers, data);
    if (waitMs !== undefined) limiter.pauseUntil(now() + waitMs, reason);
  }
}

/** A signal aborted by either, or the one given. */
export function anyOf(first: AbortSignal | undefined, second: AbortSignal | undefined): AbortSignal | undefined {
  if (first === undefined || second === undefined) return first ?? second;
  return AbortSignal.any([first, second]);
}

function additionalDataOf(body: ArrayBuffer): Record<string, unknown> {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as { additional_data?: unknown };
    const data = parsed?.additional_data;
    return data !== null && typeof data === "object" ? (data as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

// The Response constructor refuses a body (even an empty one) for these.
function nullBodyStatus(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304;
}
