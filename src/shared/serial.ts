/** Per-key serial queues: calls for one key run one after another; other keys run freely. */

const tails = new Map<string, Promise<unknown>>();

/**
 * Runs `task` after every earlier task queued under `key` in this process has settled. The map is
 * module-wide so two service instances in one process also take turns on the same session.
 */
export function runSerially<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
