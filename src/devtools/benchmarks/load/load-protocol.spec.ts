import { batches, isFromClient, isToClient } from './load-protocol';

describe('bench:load client protocol', () => {
  it('splits records into batches of at most the given size, in order', () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batches([1, 2], 2)).toEqual([[1, 2]]);
    expect(batches([], 500)).toEqual([]);
    expect(() => batches([1], 0)).toThrow(RangeError);
  });

  it('tells the messages of each side by their type', () => {
    expect(isFromClient({ type: 'collected' })).toBe(true);
    expect(isFromClient({ type: 'burst' })).toBe(false);
    expect(isToClient({ type: 'burst', ratePerSecond: 1, firstIndex: 0, drainBudgetMs: 1 })).toBe(true);
    expect(isToClient({ type: 'ready' })).toBe(false);
    for (const junk of [null, undefined, 'ready', 3, {}]) {
      expect(isFromClient(junk)).toBe(false);
      expect(isToClient(junk)).toBe(false);
    }
  });
});
