/**
 * One byte budget for every result this process keeps (AFD_RESULT_STORE_MB): generation images and
 * comparison cells and grids are charged to the same ledger, so the two stores together never hold
 * more than the setting, whatever the mix. Past the budget the oldest charged result is evicted,
 * whichever store holds it.
 */
interface Charge {
  readonly bytes: number;
  /** Asks the owning store to drop the result (it then calls `release`). */
  readonly evict: () => void;
}

export class ResultBudget {
  /** Insertion order is charge order: the first entry is the oldest result. */
  private readonly charges = new Map<string, Charge>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  /**
   * Counts a result's bytes under `key` (unique across stores, e.g. `generation:<id>`), then evicts
   * the oldest results until the total fits. A result larger than the whole budget evicts itself:
   * its requester still gets it (the caller holds it), later readers get 410 Gone.
   */
  charge(key: string, bytes: number, evict: () => void): void {
    this.release(key);
    this.charges.set(key, { bytes, evict });
    this.used += bytes;
    while (this.used > this.maxBytes) {
      const oldest = this.charges.entries().next().value as [string, Charge] | undefined;
      if (!oldest) break;
      const [oldestKey, charge] = oldest;
      this.release(oldestKey);
      charge.evict();
    }
  }

  /** Forgets a result's bytes (its store dropped it: expired, or evicted through `charge`). */
  release(key: string): void {
    const charge = this.charges.get(key);
    if (!charge) return;
    this.charges.delete(key);
    this.used -= charge.bytes;
  }
}
