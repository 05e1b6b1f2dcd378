/**
 * Results kept in memory for a configured time and within the shared byte budget (ResultBudget),
 * oldest dropped first: generation records and comparisons alike. An expired or evicted id is
 * remembered for a while (a tombstone) so its readers get 410 Gone rather than 404; an unknown id
 * minted before this process started is a result lost at a restart (410 too, see unknown-result.ts).
 */
import { gone } from '../common/error-code';
import { unknownResult } from '../common/unknown-result';
import { ResultBudget } from './result-budget';

/** Ids of dropped results remembered for 410 Gone; past it the oldest are forgotten (they read as 404). */
export const TOMBSTONES = 10_000;

/** What every kept result has: its id (time-ordered) and when it was made. */
export interface ExpiringEntry {
  readonly id: string;
  readonly createdAt: number;
}

export interface ExpiringStoreOptions {
  /** The budget shared with the other result stores; a number gives this store its own. */
  readonly budget?: ResultBudget | number;
  readonly now?: () => number;
  /** When this process started: unknown ids minted before it answer 410 (lost at a restart). */
  readonly startedAt?: number;
}

export class ExpiringStore<T extends ExpiringEntry> {
  /** Insertion order is creation order: the first entry is the oldest. */
  private readonly records = new Map<string, T>();
  private readonly expired = new Set<string>();
  private readonly removedListeners: Array<(id: string) => void> = [];
  private readonly budget: ResultBudget;
  private readonly now: () => number;
  private readonly startedAt: number;

  constructor(
    /** Names the results in errors (`generation <id> has expired`) and in budget keys. */
    private readonly kind: 'generation' | 'comparison',
    /** How long a finished result is kept. */
    readonly ttlMs: number,
    options: ExpiringStoreOptions = {},
    /** Whether a record may expire: one still running is kept past its time. */
    private readonly isFinished: (record: T) => boolean = () => true,
  ) {
    const budget = options.budget ?? Number.MAX_SAFE_INTEGER;
    this.budget = typeof budget === 'number' ? new ResultBudget(budget) : budget;
    this.now = options.now ?? Date.now;
    this.startedAt = options.startedAt ?? this.now();
  }

  /** Calls `listener` with the id of every record dropped (expired or evicted for the byte budget). */
  onRemoved(listener: (id: string) => void): void {
    this.removedListeners.push(listener);
  }

  add(record: T): void {
    this.sweep();
    this.records.set(record.id, record);
  }

  /**
   * Charges a kept record's bytes to the budget, which may evict older results, of any store, or
   * this one when it alone is larger than the budget. A record no longer kept is not charged.
   */
  charge(record: T, bytes: number): void {
    if (this.records.get(record.id) !== record) return;
    this.budget.charge(`${this.kind}:${record.id}`, bytes, () => this.remove(record));
    this.sweep();
  }

  /** Whether `id` is still kept (not expired, evicted or unknown). */
  has(id: string): boolean {
    this.sweep();
    return this.records.has(id);
  }

  /** The record, or throws 410 GONE (expired, evicted, lost at a restart) or 404 NOT_FOUND. */
  get(id: string): T {
    this.sweep();
    const record = this.records.get(id);
    if (record) return record;
    if (this.expired.has(id)) throw gone(this.kind, id);
    throw unknownResult(this.kind, id, this.startedAt);
  }

  /**
   * Up to `limit` kept records that `visible` admits, newest first (ids are time-ordered), after
   * the id `before` when given; expired records are swept first and records `visible` refuses are
   * never counted, so one reader's page neither shows nor skips by another's records.
   */
  page(visible: (record: T) => boolean, limit: number, before?: string): { readonly items: T[]; readonly more: boolean } {
    this.sweep();
    const newestFirst = [...this.records.values()].filter((record) => visible(record) && (before === undefined || record.id < before)).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return { items: newestFirst.slice(0, limit), more: newestFirst.length > limit };
  }

  /** Records kept now (running and finished). */
  get size(): number {
    return this.records.size;
  }

  /** Oldest first: finished records past their time (the byte budget evicts through `charge`). */
  private sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const record of this.records.values()) {
      if (record.createdAt >= cutoff) break;
      if (!this.isFinished(record)) continue;
      this.remove(record);
    }
  }

  private remove(record: T): void {
    if (this.records.get(record.id) !== record) return;
    this.records.delete(record.id);
    this.budget.release(`${this.kind}:${record.id}`);
    this.expired.add(record.id);
    if (this.expired.size > TOMBSTONES) this.expired.delete(this.expired.values().next().value as string);
    for (const listener of this.removedListeners) listener(record.id);
  }
}
