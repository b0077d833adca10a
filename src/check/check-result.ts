/**
 * - `pass`: fine.
 * - `warn`: works, but probably not what a production setup wants.
 * - `fail`: wrong; `npm run check` exits non-zero.
 * - `skip`: not checked, because something it depends on failed or is not set.
 */
export type CheckOutcome = "pass" | "warn" | "fail" | "skip";

/** One line of the report: what was checked and, in words a person can act on, what was found. */
export type CheckResult = { name: string; outcome: CheckOutcome; detail: string };

export function passed(results: readonly CheckResult[]): boolean {
  return results.every((result) => result.outcome !== "fail");
}
