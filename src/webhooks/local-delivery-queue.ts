/**
 * Deliveries in this process (the default): each event is attempted at once (at most `concurrency`
 * attempts in flight; the others wait their turn, first come first served), and again after each
 * retry delay. At shutdown the queue is drained within the grace period: retries due before the
 * deadline still run; the others, and attempts still unanswered at the deadline, are recorded failed.
 */
import type { Delivery, DeliveryQueue } from './delivery';
import type { DeliveryAttempts } from './delivery-attempts';

interface Pending {
  readonly delivery: Delivery;
  /** The attempt running or due next. */
  attempt: number;
  timer?: NodeJS.Timeout;
  dueAt?: number;
}

export class LocalDeliveryQueue implements DeliveryQueue {
  private readonly pending = new Map<string, Pending>();
  /** Attempts due, waiting for a free slot. */
  private readonly ready: Pending[] = [];
  private inFlight = 0;
  private readonly idle = new Set<() => void>();
  private deadline = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly attempts: DeliveryAttempts,
    private readonly concurrency = 16,
  ) {}

  async enqueue(delivery: Delivery): Promise<void> {
    // The same event twice is one delivery.
    if (this.closed || this.pending.has(delivery.webhookId)) return;
    const entry: Pending = { delivery, attempt: 1 };
    this.pending.set(delivery.webhookId, entry);
    this.due(entry);
  }

  /** An attempt is due: run it now if a slot is free, else when one frees. */
  private due(entry: Pending): void {
    delete entry.timer;
    delete entry.dueAt;
    if (this.inFlight >= this.concurrency) {
      this.ready.push(entry);
      return;
    }
    void this.run(entry);
  }

  private async run(entry: Pending): Promise<void> {
    this.inFlight += 1;
    let retryInMs: number | undefined;
    try {
      ({ retryInMs } = await this.attempts.run(entry.delivery, entry.attempt, this.deadline));
    } catch {
      // Recording failed (the log is in memory here, so only a bug lands here): give the event up rather than loop.
      retryInMs = undefined;
    } finally {
      this.inFlight -= 1;
    }
    const next = this.ready.shift();
    if (next) void this.run(next);
    if (!this.pending.has(entry.delivery.webhookId)) return;
    if (retryInMs === undefined || this.closed) {
      this.settle(entry);
      return;
    }
    entry.attempt += 1;
    entry.dueAt = Date.now() + retryInMs;
    entry.timer = setTimeout(() => this.due(entry), retryInMs);
    entry.timer.unref();
  }

  private settle(entry: Pending): void {
    this.pending.delete(entry.delivery.webhookId);
    if (this.pending.size === 0) for (const resolve of [...this.idle]) resolve();
  }

  /** Events not yet delivered nor given up. */
  get size(): number {
    return this.pending.size;
  }

  async drain(deadline: number): Promise<void> {
    this.deadline = deadline;
    // Retries due after the deadline will not be made: say so now rather than at the deadline.
    for (const entry of [...this.pending.values()]) {
      if (entry.timer && (entry.dueAt ?? 0) >= deadline) {
        clearTimeout(entry.timer);
        await this.attempts.abandon(entry.delivery, entry.attempt, 'the server shut down before this attempt was due');
        this.settle(entry);
      }
    }
    if (this.pending.size === 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.idle.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      this.idle.add(done);
    });
    for (const entry of [...this.pending.values()]) {
      clearTimeout(entry.timer);
      const waiting = this.ready.includes(entry);
      await this.attempts.abandon(entry.delivery, entry.attempt, waiting ? 'the server shut down before this attempt was made' : 'the server shut down before this attempt finished');
      this.settle(entry);
    }
    this.ready.length = 0;
  }

  async close(): Promise<void> {
    // Events queued after the drain (work that ended while the application closed) still get the drain's deadline.
    if (Number.isFinite(this.deadline) && this.pending.size > 0) await this.drain(this.deadline);
    this.closed = true;
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
    this.ready.length = 0;
  }
}
