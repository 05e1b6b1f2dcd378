/** A binary min-heap of numbers, on a growable Float64Array (no allocation per entry). */
export class NumberMinHeap {
  private keys: Float64Array;
  private count = 0;

  constructor(initialCapacity = 16) {
    this.keys = new Float64Array(Math.max(1, initialCapacity));
  }

  get size(): number {
    return this.count;
  }

  /** The smallest key; only valid while size > 0. */
  peek(): number {
    return this.keys[0] as number;
  }

  push(key: number): void {
    if (this.count === this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    const keys = this.keys;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = keys[parent] as number;
      if (above <= key) break;
      keys[i] = above;
      i = parent;
    }
    keys[i] = key;
  }

  /** Removes and returns the smallest key; only valid while size > 0. */
  pop(): number {
    const keys = this.keys;
    const top = keys[0] as number;
    const last = keys[--this.count] as number;
    const n = this.count;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && (keys[child + 1] as number) < (keys[child] as number)) child++;
      const below = keys[child] as number;
      if (below >= last) break;
      keys[i] = below;
      i = child;
    }
    keys[i] = last;
    return top;
  }
}
