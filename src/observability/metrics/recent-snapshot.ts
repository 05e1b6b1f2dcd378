/**
 * A reader of an expensive snapshot (a round trip to every worker) for scrapes: calls within
 * `maxAgeMs` of the last one share its result, and a read slower than `timeoutMs` (or failing)
 * gives the last good snapshot instead, or undefined when there is none yet.
 */
export function recentSnapshot<T>(read: () => Promise<T>, maxAgeMs: number, timeoutMs: number): () => Promise<T | undefined> {
  let last: T | undefined;
  let pending: Promise<T | undefined> | undefined;
  let startedAt = -Infinity;
  return () => {
    if (pending && performance.now() - startedAt < maxAgeMs) return pending;
    startedAt = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<T | undefined>((resolve) => {
      timer = setTimeout(() => resolve(last), timeoutMs);
      timer.unref();
    });
    const fresh = read().then(
      (value) => (last = value),
      () => last,
    );
    pending = Promise.race([fresh, timeout]).finally(() => clearTimeout(timer));
    return pending;
  };
}
