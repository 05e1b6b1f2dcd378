/**
 * One generation's events to all its subscribers, on the main thread without stalling it:
 *
 * - An event is published once and serialised at most once per wire format (SSE frame, GraphQL
 *   model…), however many subscribers receive it (`PublishedEvent.encoded`).
 * - Progress is state, not a log: a subscriber whose transport is not drained (res.write returned
 *   false, a gRPC write returned false, graphql-ws has not pulled the previous event) is offered
 *   nothing until it drains, then the latest progress. Nothing queues per subscriber, so memory is
 *   bounded by the subscriber count, whatever the step rate.
 * - `done` is delivered to every subscriber, drained or not, and ends its subscription.
 * - Delivery runs in slices of SLICE subscribers with the event loop free between them, so health
 *   checks and other requests are served while hundreds of subscribers are written to; a newer event
 *   published during a pass simply replaces the one the rest of the pass delivers. A fan-out wider
 *   than one slice starts a pass at most every WIDE_PASS_INTERVAL_MS, so its cost does not grow with
 *   the step rate; up to one slice, every step goes out at once.
 */
import type { GenerationEvent } from './generation.service';

/** What a fan-out carries: progress events, then one `done` (a generation's or a comparison's). */
export interface FanoutEvent {
  readonly event: string;
}

/** Subscribers written to before the event loop gets a turn. */
export const SLICE = 16;

/**
 * The least time between two progress passes of a fan-out wider than one slice: a hundred progress
 * bars need no more than ten updates a second, and the loop is free between passes.
 */
export const WIDE_PASS_INTERVAL_MS = 100;

/** A generation event shared by every subscriber it goes to. */
export class PublishedEvent<E extends FanoutEvent = GenerationEvent> {
  private readonly encodings = new Map<string, unknown>();

  constructor(readonly event: E) {}

  /**
   * The event in the wire format named `format` (`sse`, `graphql`…), computed by the first subscriber
   * that asks and reused by the others (all of one generation, so they encode it alike).
   */
  encoded<T>(format: string, encode: (event: E) => T): T {
    if (this.encodings.has(format)) return this.encodings.get(format) as T;
    const value = encode(this.event);
    this.encodings.set(format, value);
    return value;
  }
}

/** A subscriber's transport. */
export interface EventSink<E extends FanoutEvent = GenerationEvent> {
  /**
   * Writes one event. Returns false when the transport is not drained: it is then offered no progress
   * until its subscription's `drained()` is called (a `done` is still written).
   */
  send(event: PublishedEvent<E>): boolean;
}

/** A subscriber's handle: tell it the transport drained, or leave. */
export interface EventSubscription {
  drained(): void;
  unsubscribe(): void;
}

/** The subscription of a generation that had already ended when subscribed to. */
export const ENDED_SUBSCRIPTION: EventSubscription = { drained: () => undefined, unsubscribe: () => undefined };

interface Member<E extends FanoutEvent> {
  readonly sink: EventSink<E>;
  /** The version of the last progress it was sent (or that its opening state stood for). */
  sent: number;
  ready: boolean;
  gone: boolean;
}

export class ProgressFanout<E extends FanoutEvent = GenerationEvent> {
  private readonly members = new Set<Member<E>>();
  private latest: PublishedEvent<E> | undefined;
  private version = 0;
  private done: PublishedEvent<E> | undefined;
  private passScheduled = false;
  private paced: NodeJS.Timeout | undefined;
  private lastPassAt = -Infinity;

  constructor(
    /** Called once the last subscriber has left or done was delivered to all (the owner drops this fan-out). */
    private readonly onIdle: () => void = () => undefined,
    /** A fan-out wider than one slice starts a progress pass at most this often (done is never held back). */
    private readonly passIntervalMs = WIDE_PASS_INTERVAL_MS,
  ) {}

  get size(): number {
    return this.members.size;
  }

  get ended(): boolean {
    return this.done !== undefined;
  }

  /**
   * Adds a subscriber that was already sent the current state (`ready`: whether that write left its
   * transport drained): from now on it gets the progress published after this call, and done.
   */
  add(sink: EventSink<E>, ready = true): EventSubscription {
    const member: Member<E> = { sink, sent: this.version, ready, gone: false };
    if (this.done) {
      member.gone = true;
      this.send(member, this.done);
      return ENDED_SUBSCRIPTION;
    }
    this.members.add(member);
    return {
      drained: () => {
        if (member.gone) return;
        member.ready = true;
        this.offer(member);
      },
      unsubscribe: () => this.remove(member),
    };
  }

  /** Publishes progress (latest wins) or done (the last event: later ones are ignored). */
  publish(event: E): void {
    if (this.done) return;
    const published = new PublishedEvent<E>(event);
    if (event.event === 'done') this.done = published;
    else this.latest = published;
    this.version++;
    if (event.event === 'done' && this.paced) {
      // Done is never held back.
      clearTimeout(this.paced);
      this.paced = undefined;
      this.passScheduled = false;
    }
    if (!this.passScheduled) this.startPass();
  }

  /** Starts a pass now, or once the interval since the last one has passed for a fan-out wider than a slice. */
  private startPass(): void {
    const wait = this.members.size > SLICE && !this.done ? this.lastPassAt + this.passIntervalMs - performance.now() : 0;
    if (wait > 0) {
      this.passScheduled = true;
      this.paced = setTimeout(() => {
        this.paced = undefined;
        this.passScheduled = false;
        this.startPass();
      }, wait);
      return;
    }
    this.lastPassAt = performance.now();
    this.pass([...this.members], 0, this.version);
  }

  /** Delivers to members[from…] one slice now, the rest on later turns of the event loop. */
  private pass(members: readonly Member<E>[], from: number, startVersion: number): void {
    const end = Math.min(members.length, from + SLICE);
    for (let i = from; i < end; i++) this.offer(members[i] as Member<E>);
    if (end < members.length) {
      this.schedule(() => this.pass(members, end, startVersion));
      return;
    }
    // Members passed early in this pass missed what was published during it.
    if (this.version !== startVersion) this.schedule(() => this.startPass());
  }

  private schedule(next: () => void): void {
    this.passScheduled = true;
    setImmediate(() => {
      this.passScheduled = false;
      next();
    });
  }

  private offer(member: Member<E>): void {
    if (member.gone) return;
    if (this.done) {
      this.deliverDone(member);
      return;
    }
    if (!member.ready || member.sent === this.version || !this.latest) return;
    member.sent = this.version;
    member.ready = this.send(member, this.latest);
  }

  private deliverDone(member: Member<E>): void {
    this.send(member, this.done as PublishedEvent<E>);
    this.remove(member);
  }

  private send(member: Member<E>, event: PublishedEvent<E>): boolean {
    try {
      return member.sink.send(event);
    } catch {
      // A broken transport leaves; the others go on.
      if (!member.gone) this.remove(member);
      return false;
    }
  }

  private remove(member: Member<E>): void {
    if (member.gone) return;
    member.gone = true;
    this.members.delete(member);
    if (this.members.size === 0) this.onIdle();
  }
}
