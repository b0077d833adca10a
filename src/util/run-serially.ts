/**
 * Runs async tasks one after another, in the order they are given, each
 * started once the one before has settled: a bound on what they hold in
 * memory at once (parsing ten 10 MiB emails together would hold ten).
 */
export function createSerialRunner(): <T>(task: () => T | Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => T | Promise<T>) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
