/**
 * Answers "wait for this item to leave the queue, at most `timeoutMs`": the
 * route that stored an item awaits it, and the worker calls `settle(id)`
 * once it recorded the item's outcome. `isSettled` says whether an item no
 * longer waits (a held lead counts as settled: its sender is answered now).
 */
export function createSettleWaiters<Id, Item>(options: {
  read(id: Id): Item | undefined;
  isSettled(item: Item): boolean;
  /** A read on the timer failed (a locked store): the waiter gets undefined. */
  onReadError?(error: unknown, id: Id): void;
}) {
  const waiters = new Map<Id, Set<() => void>>();
  return {
    settle(id: Id): void {
      const current = options.read(id);
      if (current !== undefined && !options.isSettled(current)) return;
      for (const wake of waiters.get(id) ?? []) wake();
      waiters.delete(id);
    },
    waitFor(id: Id, timeoutMs: number): Promise<Item | undefined> {
      const current = options.read(id);
      if (current === undefined || options.isSettled(current)) return Promise.resolve(current);
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timeout);
          waiters.get(id)?.delete(wake);
          // On a timer: a failing store must not throw here. The sender is then told "queued", which it is.
          try {
            resolve(options.read(id));
          } catch (error) {
            options.onReadError?.(error, id);
            resolve(undefined);
          }
        };
        const timeout = setTimeout(wake, timeoutMs);
        waiters.set(id, (waiters.get(id) ?? new Set()).add(wake));
      });
    },
  };
}
