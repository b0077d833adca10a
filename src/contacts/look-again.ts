import { sleep } from "../util/sleep.js";

/**
 * How long to keep looking for a record a create may have made before
 * deciding it did not happen: Notion's query index can lag a create by
 * seconds, so one look at once would miss it and the record would be made
 * twice. About 10 s in all.
 */
export const CREATE_RECHECK_DELAYS_MS: readonly number[] = [1_000, 2_000, 3_000, 4_000];

/** Looks at once, then again after each delay; the first thing found, or undefined. */
export async function lookAgain<T>(
  find: () => Promise<T | undefined>,
  delaysMs: readonly number[] = CREATE_RECHECK_DELAYS_MS,
  signal?: AbortSignal,
): Promise<T | undefined> {
  const first = await find();
  if (first !== undefined) return first;
  for (const delayMs of delaysMs) {
    await sleep(delayMs, signal);
    const found = await find();
    if (found !== undefined) return found;
  }
  return undefined;
}
