/**
 * Fan-out of the pool's events (component loads and evictions, worker exits, UNet calls) to any
 * number of listeners, such as metrics and logs. The pool takes one `onEvent` callback and starts
 * (loading pinned checkpoints) before most providers exist, so the events published before the
 * pool finished starting are kept (bounded) and replayed to each new listener.
 */
import type { PoolEvent } from '../pool';

export type PoolEventListener = (event: PoolEvent) => void;

/** The most start-up events kept for late listeners. */
const MAX_STARTUP_EVENTS = 1000;

export class PoolEventBus {
  private readonly listeners = new Set<PoolEventListener>();
  private readonly startupEvents: PoolEvent[] = [];
  private started = false;

  publish(event: PoolEvent): void {
    if (!this.started && this.startupEvents.length < MAX_STARTUP_EVENTS) this.startupEvents.push(event);
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // One listener's bug must not keep the event from the others, nor reach the pool.
      }
    }
  }

  /** Called once the pool has started: later events are delivered live only. */
  markStarted(): void {
    this.started = true;
  }

  /** Replays the start-up events to the listener, then delivers every new event; returns the unsubscribe function. */
  subscribe(listener: PoolEventListener): () => void {
    for (const event of this.startupEvents) {
      try {
        listener(event);
      } catch {
        // as in publish
      }
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
