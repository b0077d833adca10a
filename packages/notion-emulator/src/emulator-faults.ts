export type FaultSpec = {
  method?: string;
  path?: RegExp;
  kind: "status" | "html" | "drop" | "hang" | "commit-then-fail";
  /** For "status", "html" and "commit-then-fail". */
  status?: number;
  /** Error code for "status"; defaults to the code Notion uses for the status. */
  code?: string;
  /** Adds a Retry-After header. */
  retryAfterSeconds?: number;
  additionalData?: Record<string, string | string[]>;
  /** For "commit-then-fail": puts additional_data.committed_resource_id = the page it wrote. */
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
    unavailableFor(ms, status = 503, opts = {}) {
      outage = { status, retryAfterSeconds: opts.retryAfterSeconds, untilMs: Date.now() + ms };
    },
    failNext(n, spec) {
      if (n > 0) queue.push({ remaining: n, spec });
    },
    reset() {
      this.latencyMs = 0;
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
