import type { AdditionalData } from "./notion-api-error.js";

/** Notion's `additional_data.rate_limit_reason` values (https://developers.notion.com/reference/request-limits). */
export type RateLimitReason =
  | "public_api_request_rate_limit"
  | "public_api_space_request_rate_limit"
  | "public_api_endpoint_rate_limit"
  | "public_api_request_blocked";

/** What Notion says in `additional_data.retry_guidance` of a write it saved but answered 503. */
export const SAVED_WRITE_GUIDANCE = "Do not repeat the write";

export type FaultSpec = {
  method?: string;
  path?: RegExp;
  /**
   * `rate_limited`: a 429 with `rate_limit_reason` (`reason`) and the wait in both the Retry-After header and
   * `additional_data.retry_after`. `saved-then-503`: the write is applied, then answered 503 with
   * `retry_guidance` (and `committed_resource_id` with `includeCommittedResourceId`).
   */
  kind: "status" | "html" | "drop" | "hang" | "commit-then-fail" | "rate_limited" | "saved-then-503";
  /** For "rate_limited". @default "public_api_request_rate_limit" */
  reason?: RateLimitReason;
  /** For "status", "html" and "commit-then-fail". */
  status?: number;
  /** Error code for "status"; defaults to the code Notion uses for the status. */
  code?: string;
  /** Adds a Retry-After header. */
  retryAfterSeconds?: number;
  additionalData?: AdditionalData;
  /** For "commit-then-fail" and "saved-then-503": puts additional_data.committed_resource_id = the page it wrote. */
  includeCommittedResourceId?: boolean;
};

export type OutageStatus = 503 | 500 | 504 | 529;

export type EmulatorFaults = {
  /** Added before answering each request. */
  latencyMs: number;
  /** Every request answers this error for `ms`, without applying anything. */
  unavailableFor(ms: number, status?: OutageStatus, opts?: { retryAfterSeconds?: number }): void;
  /** The next `n` requests matching `spec.method` / `spec.path` get the fault. */
  failNext(n: number, spec: FaultSpec): void;
  /**
   * While true, every request is answered 429 `public_api_request_blocked`
   * (Notion has restricted the connection) and nothing is applied.
   */
  blocked: boolean;
  reset(): void;
};

export type Outage = { status: OutageStatus; retryAfterSeconds: number | undefined; untilMs: number };

/** The faults plus what the server needs to apply them; tests only see EmulatorFaults. */
export type FaultController = EmulatorFaults & {
  /** The outage in force now, if any. */
  currentOutage(nowMs: number): Outage | undefined;
  /** Takes the next queued fault matching this request, if any. */
  takeFault(method: string, path: string): FaultSpec | undefined;
};

export function createEmulatorFaults(): FaultController {
  let outage: Outage | undefined;
  let queue: Array<{ remaining: number; spec: FaultSpec }> = [];
  return {
    latencyMs: 0,
    blocked: false,
    unavailableFor(ms, status = 503, opts = {}) {
      outage = { status, retryAfterSeconds: opts.retryAfterSeconds, untilMs: Date.now() + ms };
    },
    failNext(n, spec) {
      if (n > 0) queue.push({ remaining: n, spec });
    },
    reset() {
      this.latencyMs = 0;
      this.blocked = false;
      outage = undefined;
      queue = [];
    },
    currentOutage(nowMs) {
      if (outage !== undefined && nowMs >= outage.untilMs) outage = undefined;
      return outage;
    },
    takeFault(method, path) {
      const entry = queue.find(({ spec }) => matches(spec, method, path));
      if (entry === undefined) return undefined;
      entry.remaining -= 1;
      if (entry.remaining <= 0) queue = queue.filter((e) => e !== entry);
      return entry.spec;
    },
  };
}

function matches(spec: FaultSpec, method: string, path: string): boolean {
  if (spec.method !== undefined && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (spec.path !== undefined) {
    spec.path.lastIndex = 0;
    if (!spec.path.test(path)) return false;
  }
  return true;
}
