/** A push-based listener (subscribe → unsubscribe) as the AsyncIterableIterator GraphQL subscriptions consume. */
export function eventStream<T>(subscribe: (push: (value: T) => void, end: () => void) => (() => void) | Promise<() => void>): AsyncIterableIterator<T> {
  const buffered: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let ended = false;
  const subscription: { unsubscribe?: () => void } = {};
  const finish = (): void => {
    if (ended) return;
    ended = true;
    subscription.unsubscribe?.();
    if (waiting && buffered.length === 0) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  };
  const iterator: AsyncIterableIterator<T> = {
    next() {
      const value = buffered.shift();
      if (value !== undefined) return Promise.resolve({ value, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    return() {
      buffered.length = 0;
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  const subscribed = subscribe(
    (value) => {
      if (ended) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value, done: false });
      } else buffered.push(value);
    },
    () => finish(),
  );
  const attach = (unsubscribe: () => void): void => {
    subscription.unsubscribe = unsubscribe;
    if (ended) unsubscribe();
  };
  if (typeof subscribed === 'function') attach(subscribed);
  else subscribed.then(attach, () => finish());
  return iterator;
}
