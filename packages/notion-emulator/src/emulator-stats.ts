/** `search` is the query string ("" or "?filter_properties=..."), so tests can see which properties were asked for. */
export type RecordedRequest = { at: number; method: string; path: string; search: string; status: number };

export type EmulatorStats = {
  /** Every request received, in order; `status` is 0 until answered and stays 0 for dropped or hung ones. */
  readonly requests: ReadonlyArray<Readonly<RecordedRequest>>;
  count(filter?: { method?: string; path?: RegExp; status?: number }): number;
  /** 429s answered by the rate limiter (not injected ones). */
  readonly rateLimited: number;
  reset(): void;
};

export type StatsRecorder = EmulatorStats & {
  record(method: string, path: string, search?: string): RecordedRequest;
  countRateLimited(): void;
};

export function createEmulatorStats(): StatsRecorder {
  let requests: RecordedRequest[] = [];
  let rateLimited = 0;
  return {
    get requests() {
      return requests;
    },
    get rateLimited() {
      return rateLimited;
    },
    count(filter = {}) {
      return requests.filter(
        (r) =>
          (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
          (filter.path === undefined ||
            new RegExp(filter.path.source, filter.path.flags.replace("g", "")).test(r.path)) &&
          (filter.status === undefined || r.status === filter.status),
      ).length;
    },
    reset() {
      requests = [];
      rateLimited = 0;
    },
    record(method, path, search = "") {
      const entry = { at: Date.now(), method: method.toUpperCase(), path, search, status: 0 };
      requests.push(entry);
      return entry;
    },
    countRateLimited() {
      rateLimited += 1;
    },
  };
}
