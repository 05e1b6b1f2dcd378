/**
 * A hash table from a pair of small non-negative integers to a non-negative integer, in typed
 * arrays with open addressing: BPE looks a pair up for every symbol it touches, and a JavaScript
 * Map keyed by `left * n + right` (beyond 2^31, so not a small integer) is several times slower.
 */
/**
 * Bound once: under a `vm` context (Jest), every read of the global `Math` goes through the
 * context's interceptors and cannot be inlined, which made this hot path several times slower.
 */
const imul = Math.imul;

export class PairTable {
  private readonly lefts: Int32Array;
  private readonly rights: Int32Array;
  private readonly values: Int32Array;
  private readonly mask: number;
  private readonly shift: number;

  constructor(expectedSize: number) {
    let capacity = 16;
    while (capacity < expectedSize * 2) capacity *= 2;
    this.lefts = new Int32Array(capacity).fill(-1);
    this.rights = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }

  /** Sets the value of (left, right), replacing an earlier one; the table must not be full. */
  set(left: number, right: number, value: number): void {
    let slot = this.slotOf(left, right);
    while (this.lefts[slot] !== -1 && !(this.lefts[slot] === left && this.rights[slot] === right)) {
      slot = (slot + 1) & this.mask;
    }
    this.lefts[slot] = left;
    this.rights[slot] = right;
    this.values[slot] = value;
  }

  /** The value of (left, right), or -1. */
  get(left: number, right: number): number {
    let slot = this.slotOf(left, right);
    for (;;) {
      const stored = this.lefts[slot] as number;
      if (stored === -1) return -1;
      if (stored === left && this.rights[slot] === right) return this.values[slot] as number;
      slot = (slot + 1) & this.mask;
    }
  }

  private slotOf(left: number, right: number): number {
    // Multiplicative (Fibonacci) hashing: the high bits of the product mix all the input bits.
    return imul(imul(left, 0x85ebca77) ^ right, 0x9e3779b1) >>> this.shift;
  }
}
