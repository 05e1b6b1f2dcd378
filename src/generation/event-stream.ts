/**
 * A generation's events as the AsyncIterableIterator a GraphQL subscription returns. graphql-ws pulls
 * it one value at a time and asks for the next only once the previous frame is on the socket, so the
 * pull is the backpressure, as a socket's drain is for SSE: the stream holds at most HIGH_WATER
 * progress events not yet pulled, then tells the fan-out it is not drained (newer progress is
 * skipped, the latest is offered once the reader pulls again), and the final done. Never a growing
 * queue. Pulls are served in turns (see inTurn).
 */
import type { GenerationEvent } from './generation.service';
import type { EventSink, EventSubscription, FanoutEvent, PublishedEvent } from './progress-fanout';

/** Progress events held for a reader that has not pulled them (a short lag loses no step). */
export const HIGH_WATER = 8;

/** Pulls served per turn of the event loop, across every GraphQL event stream of the process. */
export const PULLS_PER_TURN = 16;

const pulls: (() => void)[] = [];
let pullsScheduled = false;

/**
 * Runs a pull in turn. Each pull can start a GraphQL execution and a socket write, and graphql-ws
 * pulls as soon as a socket has taken the previous frame: when hundreds of sockets drain at once, a
 * turn of the event loop serves PULLS_PER_TURN of them and health checks get the next turn.
 */
function inTurn(pull: () => void): void {
  pulls.push(pull);
  if (pullsScheduled) return;
  pullsScheduled = true;
  setImmediate(servePulls);
}

function servePulls(): void {
  for (let i = 0; i < PULLS_PER_TURN; i++) pulls.shift()?.();
  pullsScheduled = pulls.length > 0;
  if (pullsScheduled) setImmediate(servePulls);
}

export function eventStream<T, E extends FanoutEvent = GenerationEvent>(
  subscribe: (sink: EventSink<E>) => Promise<EventSubscription>,
  toValue: (event: PublishedEvent<E>) => T,
  /** Called once, when the stream ends (done pulled, the client left, or the subscription failed). */
  onEnd: () => void = () => undefined,
): AsyncIterableIterator<T> {
  const held: PublishedEvent<E>[] = [];
  let final: PublishedEvent<E> | undefined;
  let finalPulled = false;
  let full = false;
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let ended = false;
  let subscription: EventSubscription | undefined;

  const finish = (): void => {
    if (ended) return;
    ended = true;
    held.length = 0;
    subscription?.unsubscribe();
    onEnd();
    const resolve = waiting;
    waiting = undefined;
    resolve?.({ value: undefined, done: true });
  };

  /** The next value held, if any (progress in order, then done). */
  const take = (): IteratorResult<T> | undefined => {
    const event = held.shift();
    if (event) return { value: toValue(event), done: false };
    if (final && !finalPulled) {
      finalPulled = true;
      return { value: toValue(final), done: false };
    }
    return undefined;
  };

  const sink: EventSink<E> = {
    send(event) {
      if (ended) return true;
      if (event.event.event === 'done') final = event;
      else held.push(event);
      const resolve = waiting;
      if (resolve) {
        waiting = undefined;
        resolve(take() as IteratorResult<T>);
      }
      full = held.length >= HIGH_WATER;
      return !full;
    },
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      return new Promise((resolve) =>
        inTurn(() => {
          const value = take();
          // Room again after a pull: the fan-out may offer the latest progress (appended after what is held).
          if (full && held.length < HIGH_WATER) {
            full = false;
            subscription?.drained();
          }
          if (value) return resolve(value);
          if (ended || finalPulled) {
            finish();
            return resolve({ value: undefined, done: true });
          }
          const offered = take();
          if (offered) return resolve(offered);
          waiting = resolve;
        }),
      );
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
