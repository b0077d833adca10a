import { sleep } from "../../src/util/sleep.js";

/** Polls until `done()` holds; after `timeoutMs` throws, naming what it waited for. */
export async function waitUntil(
  done: () => boolean,
  { what, timeoutMs = 20_000, intervalMs = 100 }: { what: string; timeoutMs?: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}
