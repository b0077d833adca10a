import type { Logger } from "../log/create-logger.js";
import { scheduleCron, type CronSchedule } from "../schedule/schedule-cron.js";

export type DigestSchedule = CronSchedule;

export type ScheduleDigestOptions = {
  /** DIGEST_CRON (node-cron syntax; six fields allow seconds). */
  cronExpression: string;
  /** DIGEST_TZ */
  timeZone: string;
  run: () => Promise<unknown>;
  logger: Logger;
  /** Aborted when the process stops: a run cut short by it is not a failure. */
  signal?: AbortSignal;
};

/** What the digest's schedule and its log lines call it. */
export const DIGEST_SCHEDULE = { label: "stale-lead digest", area: "digest-schedule" } as const;

/** Fires the stale-lead digest on DIGEST_CRON (see scheduleCron). */
export function scheduleDigest(options: ScheduleDigestOptions): DigestSchedule {
  return scheduleCron({ ...options, ...DIGEST_SCHEDULE });
}
