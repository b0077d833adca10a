export type RequestRateLimit = {
  /** Counts one request; answers 0 when it is within the budget, else the ms until the window has room. */
  take(): number;
};

/** Notion's per-connection window (https://developers.notion.com/reference/request-limits). */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * Notion's per-connection limit: a fixed budget of requests per 60-second
 * window, spent at any pace, a single burst included. Modelled as a sliding
 * window (no 60 s span may hold more than the budget), the strictest reading
 * of it: a client that passes here passes whatever alignment Notion's windows
 * have. A refused request does not count. A budget of 0 or Infinity never limits.
 */
export function createRequestRateLimit(opts: {
  requestsPerWindow: number;
  windowMs?: number;
  now?: () => number;
}): RequestRateLimit {
  const now = opts.now ?? Date.now;
  const windowMs = opts.windowMs ?? RATE_LIMIT_WINDOW_MS;
  const budget = opts.requestsPerWindow;
  if (!Number.isFinite(budget) || budget <= 0) return { take: () => 0 };
  // Arrival times of the accepted requests still inside the window, oldest first.
  const arrivals: number[] = [];
  return {
    take() {
      const at = now();
      while (arrivals.length > 0 && arrivals[0]! <= at - windowMs) arrivals.shift();
      if (arrivals.length < budget) {
        arrivals.push(at);
        return 0;
      }
      return Math.max(1, arrivals[arrivals.length - budget]! + windowMs - at);
    },
  };
}
