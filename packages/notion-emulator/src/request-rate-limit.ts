export type RequestRateLimit = {
  /** Takes one token; answers 0 when taken, else the ms until one is available. */
  take(): number;
};

/**
 * A token bucket like the one Notion runs per integration: `capacity` requests
 * at once, refilled at `ratePerSecond`. A rate of 0 or Infinity never limits.
 */
export function createRequestRateLimit(opts: {
  ratePerSecond: number;
  capacity: number;
  now?: () => number;
}): RequestRateLimit {
  const now = opts.now ?? Date.now;
  if (!Number.isFinite(opts.ratePerSecond) || opts.ratePerSecond <= 0) return { take: () => 0 };
  const capacity = Math.max(1, opts.capacity);
  let tokens = capacity;
  let refilledAt = now();
  return {
    take() {
      const at = now();
      tokens = Math.min(capacity, tokens + ((at - refilledAt) / 1000) * opts.ratePerSecond);
      refilledAt = at;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return ((1 - tokens) / opts.ratePerSecond) * 1000;
    },
  };
}
