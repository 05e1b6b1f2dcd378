/**
 * CLIP's byte-pair encoding of one word.
 *
 * CLIP's `bpe()` repeats rounds: find the adjacent pair with the lowest merge rank, merge every
 * occurrence of it left to right, until no pair has a rank. Done literally that costs a scan of the
 * word per round; here the pairs wait in a heap keyed by (rank, position), so a word of n symbols
 * takes O(n log n) and a pathological megabyte-long word stays fast. The result is the same: pairs
 * created while a round merges are held back until that round is over (they can never have the
 * round's own rank), and within a round the heap yields occurrences left to right.
 */
import { NumberMinHeap } from './min-heap';
import { PairTable } from './pair-table';

export const END_OF_WORD = '</w>';

/** Heap keys are rank * 2^32 + position: exact in a double while ranks stay below 2^21. */
const POSITION_SPAN = 2 ** 32;
const MAX_MERGES = 2 ** 21;
const trunc = Math.trunc; // bound once: reading the global `Math` is slow under a vm context (Jest)
const rankOf = (key: number): number => trunc(key / POSITION_SPAN);

export class BpeMerger {
  /** Every symbol a merge names or makes → its number; symbols of a word outside it get negative numbers. */
  private readonly symbolIds = new Map<string, number>();
  private readonly symbols: string[] = [];
  /** (leftId, rightId) → rank. A merge listed twice keeps its last rank, as CLIP's `dict(zip(...))` does. */
  private readonly pairRanks: PairTable;
  /** rank → the symbol its merge makes. */
  private readonly mergedIds: Int32Array;

  constructor(merges: ReadonlyArray<readonly [string, string]>) {
    if (merges.length >= MAX_MERGES) throw new RangeError(`at most ${MAX_MERGES - 1} merges are supported, got ${merges.length}`);
    this.pairRanks = new PairTable(merges.length);
    this.mergedIds = new Int32Array(merges.length);
    merges.forEach(([left, right], rank) => {
      if (!left || !right || left.includes(' ') || right.includes(' ')) {
        throw new RangeError(`merge ${rank + 1} ("${left}" "${right}"): halves must be non-empty and have no space`);
      }
      this.pairRanks.set(this.intern(left), this.intern(right), rank);
      this.mergedIds[rank] = this.intern(left + right);
    });
  }

  /**
   * The tokens of one word, given as its byte symbols (`textToByteSymbols(word).join('')`);
   * the last token carries `</w>`.
   */
  split(word: string): string[] {
    const chars = Array.from(word);
    const count = chars.length;
    if (count === 0) return [];
    chars[count - 1] += END_OF_WORD;
    if (count === 1) return chars;

    // Symbols no merge names can never merge; they keep a negative number and their text in `chars`.
    const sym = new Int32Array(count);
    const next = new Int32Array(count);
    const prev = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      sym[i] = this.symbolIds.get(chars[i] as string) ?? -1 - i;
      next[i] = i + 1 < count ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const alive = new Uint8Array(count).fill(1);

    const rankAt = (pos: number): number => {
      const right = next[pos] as number;
      if (right < 0) return -1;
      const a = sym[pos] as number;
      const b = sym[right] as number;
      if (a < 0 || b < 0) return -1;
      return this.pairRanks.get(a, b);
    };

    const heap = new NumberMinHeap(count);
    for (let i = 0; i + 1 < count; i++) {
      const rank = rankAt(i);
      if (rank >= 0) heap.push(rank * POSITION_SPAN + i);
    }

    const heldBack: number[] = [];
    const holdBack = (pos: number): void => {
      const rank = rankAt(pos);
      if (rank >= 0) heldBack.push(rank * POSITION_SPAN + pos);
    };
    while (heap.size > 0) {
      const round = rankOf(heap.peek());
      while (heap.size > 0 && rankOf(heap.peek()) === round) {
        const pos = heap.pop() % POSITION_SPAN;
        // Stale once either symbol has changed. Ranks name merges one to one, so an unchanged rank
        // means this very pair is still there.
        if (alive[pos] === 0 || rankAt(pos) !== round) continue;
        const absorbed = next[pos] as number;
        sym[pos] = this.mergedIds[round] as number;
        alive[absorbed] = 0;
        const after = next[absorbed] as number;
        next[pos] = after;
        if (after >= 0) prev[after] = pos;
        const before = prev[pos] as number;
        if (before >= 0) holdBack(before);
        if (after >= 0) holdBack(pos);
      }
      for (const key of heldBack) heap.push(key);
      heldBack.length = 0;
    }

    const tokens: string[] = [];
    for (let i = 0; i >= 0; i = next[i] as number) {
      const id = sym[i] as number;
      tokens.push(id >= 0 ? (this.symbols[id] as string) : (chars[i] as string));
    }
    return tokens;
  }

  private intern(symbol: string): number {
    let id = this.symbolIds.get(symbol);
    if (id === undefined) {
      id = this.symbols.length;
      this.symbols.push(symbol);
      this.symbolIds.set(symbol, id);
    }
    return id;
  }
}
