/**
 * A generation's events as the AsyncIterableIterator a GraphQL subscription returns. graphql-ws pulls
 * it one value at a time and asks for the next only once the previous frame is on the socket, so the
 * pull is the backpressure: the stream holds at most the latest progress not yet pulled (a newer one
 * replaces it) and the final done, never a queue. While nothing is pulled it tells the fan-out it is
 * not drained; the next pull drains it.
 */
import type { EventSink, EventSubscription, PublishedEvent } from '../generation/progress-fanout';

export function eventStream<T>(
  subscribe: (sink: EventSink) => Promise<EventSubscription>,
  toValue: (event: PublishedEvent) => T,
  /** Called once, when the stream ends (done pulled, the client left, or the subscription failed). */
  onEnd: () => void = () => undefined,
): AsyncIterableIterator<T> {
  let progress: PublishedEvent | undefined;
  let final: PublishedEvent | undefined;
  let finalPulled = false;
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let ended = false;
  let subscription: EventSubscription | undefined;

  const finish = (): void => {
    if (ended) return;
    ended = true;
    progress = undefined;
    subscription?.unsubscribe();
    onEnd();
    const resolve = waiting;
    waiting = undefined;
    resolve?.({ value: undefined, done: true });
  };

  /** The next value held, if any (progress first, then done). */
  const take = (): IteratorResult<T> | undefined => {
    if (progress) {
      const event = progress;
      progress = undefined;
      return { value: toValue(event), done: false };
    }
    if (final && !finalPulled) {
      finalPulled = true;
      return { value: toValue(final), done: false };
    }
    return undefined;
  };

  const sink: EventSink = {
    send(event) {
      if (ended) return true;
      if (event.event.event === 'done') final = event;
      else progress = event;
      const resolve = waiting;
      if (resolve) {
        waiting = undefined;
        resolve(take() as IteratorResult<T>);
      }
      // Whether pulled at once or held, the next offer waits for the next pull.
      return false;
    },
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      const held = take();
      if (held) return Promise.resolve(held);
      if (ended || finalPulled) {
        finish();
        return Promise.resolve({ value: undefined, done: true });
      }
      // Pulled with nothing held: the fan-out may offer the latest progress now.
      subscription?.drained();
      const offered = take();
      if (offered) return Promise.resolve(offered);
      return new Promise((resolve) => (waiting = resolve));
    },
    return() {
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  subscribe(sink).then(
    (s) => {
      subscription = s;
      if (ended) s.unsubscribe();
    },
    () => finish(),
  );
  return iterator;
}
